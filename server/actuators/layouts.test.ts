import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { defaultEngineConfig } from '../cloud/model/serving.ts'
import { applied, repositoryProblem, type DeploymentState } from './actuator.ts'
import { validateManifest } from '../test/kubernetes-schemas.ts'
import { configFromArgs, engineArgsDiff, parseDeployment, renderDeployment, vllmArgs } from './layouts.ts'

const fp8 = { ...defaultEngineConfig, quantization: 'fp8' as const, kvCacheDtype: 'fp8' as const, enablePrefixCaching: false, tensorParallelSize: 4 }
const state: DeploymentState = {
  deploymentId: 'chat-70b', model: 'meta-llama/Llama-3.1-70B-Instruct',
  stable: { instanceIds: ['i-a', 'i-b'], config: defaultEngineConfig },
  canary: { instanceIds: ['i-c'], config: fp8, weight: 10 },
}

describe('GitOps layouts', () => {
  it('writes vLLM arguments as vLLM spells them and reads them back', () => {
    const args = vllmArgs(fp8)
    expect(args).toContain('--quantization=fp8')
    expect(args).toContain('--kv-cache-dtype=fp8')
    expect(args).toContain('--no-enable-prefix-caching')
    expect(args).toContain('--tensor-parallel-size=4')
    expect(vllmArgs(defaultEngineConfig).some((a) => a.startsWith('--quantization'))).toBe(false)
    expect(configFromArgs(args)).toEqual(fp8)
  })

  it('diffs two configurations flag by flag, naming arguments that appear or disappear', () => {
    const diff = engineArgsDiff(defaultEngineConfig, fp8)
    expect(diff).toContainEqual({ flag: '--quantization', before: null, after: '--quantization=fp8' })
    expect(diff).toContainEqual({ flag: '--enable-prefix-caching', before: vllmArgs(defaultEngineConfig).find((a) => a.includes('prefix-caching')) ?? null, after: '--no-enable-prefix-caching' })
    expect(diff.map((c) => c.flag)).not.toContain('--max-num-seqs')
    expect(engineArgsDiff(fp8, fp8)).toEqual([])
    expect(engineArgsDiff(fp8, defaultEngineConfig).find((c) => c.flag === '--quantization')).toEqual({ flag: '--quantization', before: '--quantization=fp8', after: null })
  })

  it('kubernetes: a Deployment per group and HTTPRoute weights that add up to 100, read back unchanged', () => {
    const files = renderDeployment('kubernetes', state)
    const text = files['deployments/chat-70b.yaml']!
    const docs = parseAllDocuments(text).map((d) => d.toJS())
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'Deployment', 'Service', 'HTTPRoute'])
    const route = docs.find((d) => d.kind === 'HTTPRoute')
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1')
    expect(route.spec.rules[0].backendRefs.map((b: { weight: number }) => b.weight)).toEqual([90, 10])
    expect(docs[0].spec.replicas).toBe(2)
    for (const d of docs) validateManifest(d)
    expect(applied(parseDeployment('kubernetes', 'chat-70b', text), state)).toBe(true)
  })

  it('production-stack: one modelSpec per group with vllmConfig.extraArgs, read back unchanged', () => {
    const text = renderDeployment('production-stack', state)['deployments/chat-70b/values.yaml']!
    const values = parseAllDocuments(text)[0]!.toJS()
    expect(values.servingEngineSpec.modelSpec.map((m: { name: string; replicaCount: number }) => [m.name, m.replicaCount])).toEqual([['chat-70b-stable', 2], ['chat-70b-canary', 1]])
    const back = parseDeployment('production-stack', 'chat-70b', text)
    expect(back).toEqual(state)
    const stableOnly = parseDeployment('production-stack', 'chat-70b', renderDeployment('production-stack', { ...state, canary: null })['deployments/chat-70b/values.yaml']!)
    expect(stableOnly.canary).toBeNull()
  })

  it('a different weight or instance set is not applied', () => {
    expect(applied(state, { ...state, canary: { ...state.canary!, weight: 50 } })).toBe(false)
    expect(applied(state, { ...state, stable: { ...state.stable, instanceIds: ['i-a'] } })).toBe(false)
    expect(applied(state, { ...state, stable: { ...state.stable, instanceIds: ['i-b', 'i-a'] } })).toBe(true)
  })

  it('refuses repositories on the server disk unless the operator allows them', () => {
    expect(repositoryProblem('https://github.com/acme/fleet.git', false)).toBeNull()
    expect(repositoryProblem('git@github.com:acme/fleet.git', false)).toBeNull()
    expect(repositoryProblem('/etc', false)).toMatch(/OPTIINFRA_GITOPS_ALLOW_LOCAL/)
    expect(repositoryProblem('file:///tmp/x.git', true)).toBeNull()
    expect(repositoryProblem('ftp://x', true)).toMatch(/expected/)
  })
})
