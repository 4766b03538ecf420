import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { deriveGpuSignals } from './dcgm.ts'
import { parsePrometheusText, type MetricFamily } from './prometheus.ts'

const parse = (text: string): MetricFamily[] => parsePrometheusText(text).families
const fixture = readFileSync(new URL('./fixtures/dcgm-exporter-h100x2.txt', import.meta.url), 'utf8')

describe('deriveGpuSignals on the DCGM fixture (Appendix B)', () => {
  /*
   * | field          | GPU 0 (serving vLLM)          | GPU 1 (idle)   |
   * |----------------|-------------------------------|----------------|
   * | utilization    | 0.913474 (GR_ENGINE_ACTIVE; GPU_UTIL says 97 %) | 0 |
   * | memoryUsedMiB  | 74463                         | 0              |
   * | memoryFreeMiB  | 6541                          | 81004          |
   * | powerW         | 512.874                       | 69.12          |
   * | tempC          | 61                            | 33             |
   * | pod            | inference/llama-8b-7d9f8c7b5-x2kq9 (vllm) | — |
   * Memory check: used + free + reserved 555 = 81559 MiB on both GPUs.
   */
  const { gpus } = deriveGpuSignals(parse(fixture))

  it('returns one entry per GPU although only GPU 0 carries pod labels', () => {
    expect(gpus.map((g) => g.gpu)).toEqual(['0', '1'])
  })

  it('prefers GR_ENGINE_ACTIVE (0–1) over GPU_UTIL (0–100) for utilization', () => {
    expect(gpus[0]).toMatchObject({ utilization: 0.913474, utilizationSource: 'gr_engine_active' })
    expect(gpus[1]).toMatchObject({ utilization: 0, utilizationSource: 'gr_engine_active' })
  })

  it('reads identity, memory, power and temperature', () => {
    expect(gpus[0]).toMatchObject({
      uuid: 'GPU-5fd4f087-86f3-7a43-b711-4771313afc50',
      modelName: 'NVIDIA H100 80GB HBM3',
      hostname: 'ip-10-0-12-34',
      namespace: 'inference',
      pod: 'llama-8b-7d9f8c7b5-x2kq9',
      container: 'vllm',
      memoryUsedMiB: 74463,
      memoryFreeMiB: 6541,
      powerW: 512.874,
      tempC: 61,
    })
    expect(gpus[1]).toEqual({
      gpu: '1',
      uuid: 'GPU-0a6c2e1d-9b3e-4f21-8c55-2d1f0e9a7b13',
      modelName: 'NVIDIA H100 80GB HBM3',
      hostname: 'ip-10-0-12-34',
      utilization: 0,
      utilizationSource: 'gr_engine_active',
      memoryUsedMiB: 0,
      memoryFreeMiB: 81004,
      powerW: 69.12,
      tempC: 33,
    })
    for (const gpu of gpus) expect((gpu.memoryUsedMiB ?? 0) + (gpu.memoryFreeMiB ?? 0) + 555).toBe(81559)
  })
})

describe('deriveGpuSignals fallbacks', () => {
  it('falls back to GPU_UTIL / 100 when profiling metrics are not exported', () => {
    const withoutProf = fixture.split('\n').filter((line) => !line.includes('DCGM_FI_PROF_')).join('\n')
    const { gpus } = deriveGpuSignals(parse(withoutProf))
    expect(gpus.map((g) => [g.utilization, g.utilizationSource])).toEqual([[0.97, 'gpu_util'], [0, 'gpu_util']])
  })

  it('accepts the lower-case uuid/hostname spellings and keeps GPUs of different hosts apart', () => {
    const text = ['DCGM_FI_DEV_GPU_UTIL{gpu="0",uuid="GPU-a",hostname="node-b"} 50', 'DCGM_FI_DEV_GPU_UTIL{gpu="0",uuid="GPU-b",hostname="node-a"} 20', 'DCGM_FI_DEV_GPU_TEMP{gpu="0",uuid="GPU-b",hostname="node-a"} 40'].join('\n')
    const { gpus } = deriveGpuSignals(parse(text))
    expect(gpus).toEqual([
      { gpu: '0', uuid: 'GPU-b', hostname: 'node-a', utilization: 0.2, utilizationSource: 'gpu_util', tempC: 40 },
      { gpu: '0', uuid: 'GPU-a', hostname: 'node-b', utilization: 0.5, utilizationSource: 'gpu_util' },
    ])
  })

  it('keeps MIG instances of one GPU apart', () => {
    const text = [
      'DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-d6dd",modelName="NVIDIA A100 80GB PCIe",GPU_I_PROFILE="1g.10gb",GPU_I_ID="7",Hostname="della-l01g1"} 8543',
      'DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-d6dd",modelName="NVIDIA A100 80GB PCIe",GPU_I_PROFILE="1g.10gb",GPU_I_ID="8",Hostname="della-l01g1"} 12',
    ].join('\n')
    const { gpus } = deriveGpuSignals(parse(text))
    expect(gpus.map((g) => [g.migInstanceId, g.migProfile, g.memoryUsedMiB, g.utilizationSource])).toEqual([
      ['7', '1g.10gb', 8543, undefined],
      ['8', '1g.10gb', 12, undefined],
    ])
  })

  it('ignores blank sentinels from old exporters and empty attribution labels', () => {
    const text = 'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-x",pod="",namespace=""} 9223372036854775794\nDCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-x",pod="",namespace=""} 70.5\n'
    const { gpus } = deriveGpuSignals(parse(text))
    expect(gpus).toEqual([{ gpu: '0', uuid: 'GPU-x', utilization: 0, powerW: 70.5 }])
  })
})
