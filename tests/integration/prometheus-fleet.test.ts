import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../server/clock.ts'
import { prometheusAvailable } from '../../server/test/prometheus-server.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { pollAllSources } from '../../server/telemetry-sources/poll.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { prometheusOnFleet, type FleetPrometheus } from '../support/fleet-prometheus.ts'

// tags: integration — issue 11's "a customer with only that Prometheus as telemetry source gets its
// deployments discovered and receives validated, data-driven recommendations whose evidence names
// Prometheus", for a fleet the cloud provider does not run: its inventory comes from
// kube-state-metrics and vLLM's labels through a real Prometheus (Debian's package), its load from
// PromQL, and approval says the plan is the operator's to apply.
let p: TestPlatform
let fleetProm: FleetPrometheus | undefined
// wall clock: Prometheus scrapes in wall time; workers on, so the four agents analyze and cross-check
beforeAll(async () => { p = await startTestPlatform({ clock: systemClock, env: { OPTIINFRA_TELEMETRY_ALLOW_PRIVATE: 'true' } }) }, 120_000)
afterAll(async () => { await fleetProm?.stop(); await p?.stop() })

async function analyze(customerId: string, token: string): Promise<any[]> {
  const ids: string[] = []
  for (const agent_type of ['cost', 'performance', 'resource']) {
    const res = await p.http('POST', `/customers/${customerId}/analyze`, { token, body: { agent_type } })
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300)
    ids.push(res.body.analysis_id)
  }
  return waitFor(async () => {
    const list = (await p.http<any[]>('GET', `/customers/${customerId}/analyses`, { token })).body.filter((a) => ids.includes(a.id))
    return list.every((a) => a.status === 'completed' || a.status === 'failed') ? list : undefined
  }, { timeoutMs: 90_000, what: 'analyses to finish' })
}

describe('integration: a fleet known only through its Prometheus', () => {
  it.skipIf(!prometheusAvailable() && !process.env.CI)('is inventoried from kube-state-metrics, analyzed on its PromQL load, and gets validated advisory recommendations naming that Prometheus', async () => {
    // the cluster: a simulated fleet (another account of the twin) that a real Prometheus scrapes
    const owner = await p.newCustomer('Cluster Owner Co')
    expect((await p.http('POST', `/customers/${owner.customerId}/infrastructure`, { token: owner.token, body: seedInfrastructure })).status).toBeLessThan(300)
    fleetProm = await prometheusOnFleet(p, owner)
    const { prom, deploymentIds } = fleetProm

    // the customer: nothing registered with OptiInfra, only its Prometheus connected
    const c = await p.newCustomer('Prometheus Only Fleet Co')
    expect((await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body).toMatchObject({ instances: [], vllm_deployments: [], advisory_deployments: [] })
    const created = await p.http('POST', `/customers/${c.customerId}/telemetry-sources`, { token: c.token, body: { kind: 'prometheus', url: prom.url } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body.health.deployments).toEqual(deploymentIds)
    expect(created.body.health.advisory).toEqual(deploymentIds.map((id) => ({ deployment_id: id, judged: true, reason: null, engine: expect.any(Object) })))
    // the engine the agents judge it with is the one its servers run: flags from vllm:cache_config_info, the tensor-parallel size from the KV capacity reported
    const running = (await p.http('GET', `/customers/${owner.customerId}/infrastructure`, { token: owner.token })).body.vllm_deployments
    for (const a of created.body.health.advisory) {
      const truth = running.find((d: { deployment_id: string }) => d.deployment_id === a.deployment_id).engine_config
      expect(a.engine).toMatchObject({ kv_cache_dtype: truth.kv_cache_dtype, enable_prefix_caching: truth.enable_prefix_caching, gpu_memory_utilization: truth.gpu_memory_utilization, tensor_parallel_size: truth.tensor_parallel_size })
      expect(a.engine.reported).toEqual(expect.arrayContaining(['gpu_memory_utilization', 'kv_cache_dtype', 'prefix_caching', 'tensor_parallel_size']))
    }
    await waitFor(async () => {
      await pollAllSources(p.deps)
      const rps = await p.http<{ value: number }[]>('GET', `/customers/${c.customerId}/metrics?metric_type=throughput_rps&deployment_id=${deploymentIds[0]}&start_time=${new Date(Date.now() - 600_000).toISOString()}`, { token: c.token })
      return rps.body.filter((pt) => pt.value > 0).length >= 2 || undefined
    }, { timeoutMs: 30_000, what: 'two polls that show load' })

    // the customer declares the SLO of a deployment OptiInfra only reads; the agents judge by it
    const slo = { e2e_p95_ms: 20_000, e2e_p99_ms: 30_000, max_error_rate: 0.005, min_quality: 0.9 }
    const declared = await p.http('PUT', `/customers/${c.customerId}/deployments/${deploymentIds[0]}/slo`, { token: c.token, body: slo })
    expect(declared.status, JSON.stringify(declared.body)).toBe(200)
    expect(declared.body).toMatchObject({ ...slo, source: 'declared' })
    expect((await p.http('PUT', `/customers/${c.customerId}/deployments/not-in-the-cluster/slo`, { token: c.token, body: slo })).status).toBe(404)

    // the infrastructure view lists it beside (not among) the deployments OptiInfra runs
    const infra = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(infra.vllm_deployments).toEqual([])
    expect(infra.advisory_deployments).toEqual([expect.objectContaining({ deployment_id: deploymentIds[0], model: 'meta-llama/Llama-3-70B', seen_via: 'prometheus', slo: { p95_ms: 20_000, p99_ms: 30_000, max_error_rate: 0.005, min_quality: 0.9 } })])
    expect(infra.advisory_deployments[0].requests_per_second).toBeGreaterThan(0)
    expect(infra.advisory_instances.map((i: { instance_type: string; pricing: string }) => `${i.instance_type} ${i.pricing}`)).toEqual(['p4d.24xlarge on-demand', 'p4d.24xlarge on-demand'])

    // the dashboard judges its SLO compliance on the declared objective and the measured window
    const dashboard = (await p.http('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect(dashboard.slo.deployments).toEqual([expect.objectContaining({ deployment_id: deploymentIds[0], seen_via: 'prometheus', limits: { p95_ms: 20_000, p99_ms: 30_000, error_rate: 0.005 } })])
    const row = dashboard.slo.deployments[0]
    expect(row.p95_latency_ms).toBeGreaterThan(0)
    expect(row.compliant).toBe(row.p95_latency_ms <= 20_000 && row.p99_latency_ms <= 30_000 && row.error_rate <= 0.005)
    expect(dashboard.slo.compliant).toBe(row.compliant)

    const analyses = await analyze(c.customerId, c.token)
    expect(analyses.map((a) => a.status)).toEqual(['completed', 'completed', 'completed'])
    for (const a of analyses) expect(a.results[a.agent_types[0]].sources, JSON.stringify(a.results)).toEqual({ [deploymentIds[0]!]: 'telemetry' })

    const rec = await waitFor(async () => {
      const list = (await p.http<any[]>('GET', `/customers/${c.customerId}/recommendations`, { token: c.token })).body
      return list.find((r) => r.deployment_id === deploymentIds[0] && r.validation_status === 'validated')
    }, { timeoutMs: 60_000, what: 'a validated recommendation for the discovered deployment' })
    const full = (await p.http('GET', `/recommendations/${rec.id}`, { token: c.token })).body
    // the inventory is the cluster's (two on-demand p4d nodes), the load is what PromQL measured
    expect(full.evidence.data_used).toMatchObject({ via: `Prometheus ${prom.url}`, basis: 'telemetry', workload: { rate: 'telemetry', request_shape: 'telemetry' } })
    expect(full.evidence.before).toEqual([expect.objectContaining({ count: 2, pricing: 'on-demand', instance_type: 'p4d.24xlarge' })])
    expect(full.evidence.observed.throughputRps).toBeGreaterThan(0)
    expect(full.estimated_savings).toBeGreaterThan(0)
    expect(full.predicted.monthlyCostUsdBefore).toBeCloseTo(2 * 21.957642 * 730, 0)
    expect(full.validations.find((v: { agent_type: string }) => v.agent_type === 'performance').data.slo).toEqual({ p95Ms: 20_000, p99Ms: 30_000, maxErrorRate: 0.005, minQuality: 0.9 })
    const application = full.validations.find((v: { agent_type: string }) => v.agent_type === 'application')
    expect(application).toMatchObject({ approved: true, baseline_established: false, reason: expect.stringMatching(/no chat endpoint is known/) })

    const approved = await p.http('POST', `/recommendations/${rec.id}/approve`, { token: c.token })
    expect(approved.status).toBe(409)
    expect(approved.body).toMatchObject({ code: 'OPT_RECOMMENDATION_ADVISORY', message: expect.stringContaining(prom.url), requestId: expect.any(String) })
    expect((await p.http<any[]>('GET', `/customers/${c.customerId}/optimizations`, { token: c.token })).body).toEqual([])
  }, 240_000)
})
