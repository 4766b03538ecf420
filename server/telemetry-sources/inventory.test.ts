import { describe, expect, it } from 'vitest'
import { loadCatalog } from '../cloud/catalog/catalog.ts'
import type { PriceQuote } from '../cloud/provider.ts'
import { proposeFor, type SloSpec } from '../slo/slo.ts'
import type { DiscoveredDeployment, DiscoveredNode } from './cluster.ts'
import { DISCOVERED_PRIOR, inventoryFromCluster, seenOnlyThroughMetrics } from './inventory.ts'

const catalog = loadCatalog()
const now = new Date('2026-12-07T12:00:00Z')
const node = (name: string, o: Partial<DiscoveredNode> = {}): DiscoveredNode => ({ node: name, instance_id: `i-${name}`, instance_type: 'g5.xlarge', capacity_type: 'spot', region: 'us-east-1', gpus: 1, ...o })
const dep = (id: string, o: Partial<DiscoveredDeployment> = {}): DiscoveredDeployment => ({ deployment_id: id, model_name: 'meta-llama/Llama-3.1-8B-Instruct', pods: { stable: 2, canary: 0 }, nodes: [node('a'), node('b')], ...o })
const quote: PriceQuote = { cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', gpuType: 'A10G', gpuCount: 1, onDemandHourlyUsd: 1.006, spotHourlyUsd: 0.41 }
const input = (fleet: DiscoveredDeployment[], o: { prices?: PriceQuote[]; slos?: Map<string, SloSpec> } = {}) => ({ customerId: 'c1', fleet, catalog, prices: o.prices ?? [quote], slos: o.slos ?? new Map(), now })

describe('the agents\' inventory of a fleet seen through Prometheus', () => {
  it('makes each node an instance priced at its capacity type and each deployment its model on the defaults an operator would start it with', () => {
    const inv = inventoryFromCluster(input([dep('chat')]), new Set())
    expect(inv.unresolved).toEqual([])
    expect(inv.instances.map((i) => [i.id, i.cloud, i.region, i.gpuType, i.gpuCount, i.pricing, i.hourlyUsd, i.deploymentId, i.group, i.state]))
      .toEqual([['i-a', 'aws', 'us-east-1', 'A10G', 1, 'spot', 0.41, 'chat', 'stable', 'running'], ['i-b', 'aws', 'us-east-1', 'A10G', 1, 'spot', 0.41, 'chat', 'stable', 'running']])
    const d = inv.deployments[0]!
    expect(d).toMatchObject({ id: 'chat', customerId: 'c1', cloud: 'aws', region: 'us-east-1', stable: { instanceIds: ['i-a', 'i-b'] }, canary: null, latencyCritical: true })
    expect(d.model).toMatchObject({ name: 'meta-llama/Llama-3.1-8B-Instruct', paramsB: 8.03 })
    expect(d.stable.config).toMatchObject({ quantization: 'none', tensorParallelSize: 1 })
    // the rate is left to telemetry: nothing invented
    expect(d.traffic.baseRps).toBe(0)
    expect(d.slo.p95Ms).toBe(proposeFor(DISCOVERED_PRIOR).e2e_p95_ms)
    expect(seenOnlyThroughMetrics(d)).toBe(true)
  })

  it('uses the customer\'s declared SLO, the catalog\'s on-demand price without a quote, and the node name without a providerID', () => {
    const declared: SloSpec = { ttft_p95_ms: null, itl_p95_ms: null, e2e_p95_ms: 4000, e2e_p99_ms: 9000, max_error_rate: 0.01, min_quality: 0.9 }
    const inv = inventoryFromCluster(input([dep('chat', { nodes: [node('x', { instance_id: null, capacity_type: null })] })], { prices: [], slos: new Map([['chat', declared]]) }), new Set())
    expect(inv.instances[0]).toMatchObject({ id: 'x', pricing: 'on-demand', hourlyUsd: 1.006 })
    expect(inv.deployments[0]!.slo).toEqual({ p95Ms: 4000, p99Ms: 9000, maxErrorRate: 0.01, minQuality: 0.9 })
  })

  it('leaves out the deployments the provider runs, and says why it cannot size the others', () => {
    const inv = inventoryFromCluster(input([
      dep('known'),
      dep('nameless', { model_name: null }),
      dep('odd-node', { nodes: [node('q', { instance_type: 'm7i.large' })] }),
      dep('too-big', { model_name: 'meta-llama/Llama-3.1-70B-Instruct' }),
      dep('no-nodes', { nodes: [] }),
    ]), new Set(['known']))
    expect(inv.deployments).toEqual([])
    expect(inv.unresolved.map((u) => u.deployment_id)).toEqual(['nameless', 'odd-node', 'too-big', 'no-nodes'])
    expect(inv.unresolved[1]!.reason).toMatch(/m7i\.large is not in the price catalog/)
    expect(inv.unresolved[2]!.reason).toMatch(/does not fit on g5\.xlarge/)
  })

  it('marks a deployment with canary pods as mid-rollout', () => {
    expect(inventoryFromCluster(input([dep('chat', { pods: { stable: 1, canary: 1 } })]), new Set()).deployments[0]!.canary).toMatchObject({ instanceIds: [], weight: 0 })
  })
})
