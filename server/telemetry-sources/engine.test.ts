import { describe, expect, it } from 'vitest'
import { smallestFittingTp } from '../cloud/model/defaults.ts'
import { planReplica } from '../cloud/model/engine.ts'
import { quantizationOf, resolveModel } from '../cloud/model/match.ts'
import { vllmDefaultsFor, type ModelSpec } from '../cloud/model/serving.ts'
import { judgedEngine, observedEngines, type ObservedEngine } from './engine.ts'

const shape = { deploymentLabel: 'deployment_id', groupLabel: 'group' }
const info = (labels: Record<string, string>) => ({ metric: { __name__: 'vllm:cache_config_info', engine: '0', ...labels }, value: [0, '1'] as [number, string] })
const modelOf = (name: string): ModelSpec => {
  const r = resolveModel(name)
  if (!r.ok) throw new Error(r.message)
  return r.model
}
const llama70b = modelOf('meta-llama/Llama-3-70B')
const observed = (o: Partial<ObservedEngine>): ObservedEngine => ({ kv_cache_dtype: null, prefix_caching: null, gpu_memory_utilization: null, kv_cache_tokens: null, servers: 1, ...o })

describe('the engine flags a deployment\'s vLLM servers report', () => {
  it('reads each deployment\'s stable servers, whatever the label set of the vLLM version', () => {
    const engines = observedEngines([
      info({ deployment_id: 'chat', block_size: '16', cache_dtype: 'fp8_e4m3', enable_prefix_caching: 'False', gpu_memory_utilization: '0.92', num_gpu_blocks: '3000', num_cpu_blocks: 'None' }),
      info({ deployment_id: 'chat', block_size: '16', cache_dtype: 'fp8_e4m3', enable_prefix_caching: 'False', gpu_memory_utilization: '0.92', num_gpu_blocks: '3000' }),
      // a canary on other flags does not speak for the deployment
      info({ deployment_id: 'chat', group: 'canary', cache_dtype: 'auto', enable_prefix_caching: 'True', gpu_memory_utilization: '0.9', num_gpu_blocks: '9999', block_size: '16' }),
      // a newer build reports its KV capacity in tokens directly and nothing else this reader knows
      info({ deployment_id: 'batch', kv_cache_size_tokens: '120000', calculate_kv_scales: 'False' }),
      info({ model_name: 'no-deployment-label' }),
    ], shape)
    expect([...engines.keys()].sort()).toEqual(['batch', 'chat'])
    expect(engines.get('chat')).toEqual({ kv_cache_dtype: 'fp8', prefix_caching: false, gpu_memory_utilization: 0.92, kv_cache_tokens: 48_000, servers: 2 })
    expect(engines.get('batch')).toEqual({ kv_cache_dtype: null, prefix_caching: null, gpu_memory_utilization: null, kv_cache_tokens: 120_000, servers: 1 })
  })

  it('falls back to the canary\'s report when no stable server reports', () => {
    const engines = observedEngines([info({ deployment_id: 'new', group: 'canary', cache_dtype: 'auto', block_size: '16', num_gpu_blocks: '10' })], shape)
    expect(engines.get('new')).toMatchObject({ kv_cache_dtype: 'auto', kv_cache_tokens: 160, servers: 1 })
  })
})

describe('the engine the agents judge a discovered deployment with', () => {
  it('takes the reported flags and finds the tensor-parallel size whose KV capacity matches the reported one', () => {
    const base = { ...vllmDefaultsFor('A100-40GB'), kvCacheDtype: 'fp8' as const, gpuMemoryUtilization: 0.9, enablePrefixCaching: false }
    // the servers run 8-way tensor parallel although 4 would fit: the KV capacity they report says so
    const reportedTokens = planReplica(llama70b, { ...base, tensorParallelSize: 8 }, 'A100-40GB', 8).kvCapacityTokens
    const e = judgedEngine(llama70b, 'A100-40GB', 8, observed({ kv_cache_dtype: 'fp8', prefix_caching: false, gpu_memory_utilization: 0.9, kv_cache_tokens: reportedTokens * 0.97 }))
    expect(smallestFittingTp(llama70b, base, 'A100-40GB', 8)).toBe(4)
    expect(e?.config).toMatchObject({ kvCacheDtype: 'fp8', enablePrefixCaching: false, gpuMemoryUtilization: 0.9, tensorParallelSize: 8, quantization: 'none' })
    expect(e?.reported).toEqual(['gpu_memory_utilization', 'kv_cache_dtype', 'prefix_caching', 'tensor_parallel_size'])
  })

  it('keeps vLLM\'s defaults at the smallest fitting size where nothing is reported, and says none was', () => {
    const e = judgedEngine(llama70b, 'A100-40GB', 8, null)
    expect(e).toEqual({ config: { ...vllmDefaultsFor('A100-40GB'), tensorParallelSize: 4 }, reported: [] })
  })

  it('takes weight quantization from the checkpoint\'s name', () => {
    expect(['neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8', 'TheBloke/Llama-2-70B-AWQ', 'Qwen/Qwen2.5-72B-Instruct-GPTQ-Int8', 'RedHatAI/Llama-3.1-8B-quantized.w8a8', 'meta-llama/Llama-3.1-8B-Instruct'].map(quantizationOf))
      .toEqual(['fp8', 'int4', 'int8', 'int8', 'none'])
    const e = judgedEngine(modelOf('neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8'), 'H100', 8, null)
    expect(e?.config.quantization).toBe('fp8')
    expect(e?.reported).toEqual(['quantization'])
  })

  it('cannot judge a model that fits nowhere on the instance', () => {
    expect(judgedEngine(modelOf('meta-llama/Llama-3.1-405B'), 'A10G', 1, null)).toBeUndefined()
  })
})
