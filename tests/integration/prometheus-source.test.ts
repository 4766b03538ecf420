import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../server/clock.ts'
import { freePort, prometheusAvailable } from '../../server/test/prometheus-server.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { pollAllSources } from '../../server/telemetry-sources/poll.ts'
import { buildContextData } from '../../server/orchestrator/context.ts'
import { loadCatalog } from '../../server/cloud/catalog/catalog.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { prometheusOnFleet, type FleetPrometheus } from '../support/fleet-prometheus.ts'

// tags: integration — a real Prometheus (Debian's package) scrapes the simulated fleet's vLLM and
// DCGM endpoints and its kube-state-metrics, and a customer whose only telemetry source is that
// Prometheus gets its deployments, their models and their nodes (instance type, capacity type,
// cloud instance id) discovered and its signals through PromQL (issue 11 item 3).
let p: TestPlatform
let fleetProm: FleetPrometheus | undefined
// wall clock: Prometheus scrapes in wall time; workers off, so nothing but the poll feeds telemetry
beforeAll(async () => { p = await startTestPlatform({ clock: systemClock, workers: false, env: { OPTIINFRA_TELEMETRY_ALLOW_PRIVATE: 'true' } }) }, 120_000)
afterAll(async () => { await fleetProm?.stop(); await p?.stop() })

describe('integration: Prometheus as the telemetry source', () => {
  it.skipIf(!prometheusAvailable() && !process.env.CI)('test_prometheus_source_discovers_deployments_and_feeds_signals_through_promql', async () => {
    const c = await p.newCustomer('Prometheus Only Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
    fleetProm = await prometheusOnFleet(p, c)
    const { prom, deploymentIds } = fleetProm

    const created = await p.http('POST', `/customers/${c.customerId}/telemetry-sources`, { token: c.token, body: { kind: 'prometheus', url: prom.url, headers: { 'X-Scope-OrgID': 'fleet-a' } } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({ kind: 'prometheus', header_names: ['X-Scope-OrgID'], health: { status: 'ok', deployments: deploymentIds, last_error: null } })
    expect(created.body.health.series_found).toBeGreaterThanOrEqual(deploymentIds.length)
    // kube-state-metrics tells which nodes serve each deployment: the provider's own inventory
    const infra = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(created.body.health.cluster_state).toBe(true)
    expect(infra.vllm_deployments).toHaveLength(deploymentIds.length)
    for (const d of infra.vllm_deployments as { deployment_id: string; model: string }[]) {
      const found = created.body.health.fleet.find((f: { deployment_id: string }) => f.deployment_id === d.deployment_id)
      expect(found, d.deployment_id).toMatchObject({ model_name: d.model })
      const serving = (infra.instances as { instance_id: string; instance_type: string; deployment_id: string; pricing: string }[]).filter((i) => i.deployment_id === d.deployment_id)
      expect(found.pods.stable).toBe(serving.length)
      expect(found.nodes.map((n: { instance_id: string; instance_type: string; capacity_type: string }) => [n.instance_id, n.instance_type, n.capacity_type]).sort())
        .toEqual(serving.map((i) => [i.instance_id, i.instance_type, i.pricing]).sort())
    }
    expect(JSON.stringify(created.body)).not.toContain('fleet-a')

    expect(created.body.health.inventory).toEqual({ not_in_cluster: [], not_in_inventory: [] })
    // the provider runs every deployment this Prometheus shows: none is advice only
    expect(created.body.health.advisory).toEqual([])

    // an instance the cloud terminates is a node the inventory no longer lists until the cluster drops it
    const gone = (infra.instances as { instance_id: string }[])[0]!.instance_id
    expect((await p.deps.cloud.terminateInstances({ changeId: 'drift-test', customerId: c.customerId, instanceIds: [gone] })).ok).toBe(true)
    const sources = async () => (await p.http('GET', `/customers/${c.customerId}/telemetry-sources`, { token: c.token })).body[0].health
    expect((await sources()).inventory).toEqual({ not_in_cluster: [], not_in_inventory: [gone] })
    await waitFor(async () => {
      await pollAllSources(p.deps)
      return (await sources()).inventory.not_in_inventory.length === 0
    }, { timeoutMs: 30_000, what: 'the cluster to drop the terminated node' })

    await pollAllSources(p.deps)
    for (const id of deploymentIds) {
      const rps = await p.http<{ value: number }[]>('GET', `/customers/${c.customerId}/metrics?metric_type=throughput_rps&deployment_id=${id}&start_time=${new Date(Date.now() - 600_000).toISOString()}`, { token: c.token })
      expect(rps.status).toBe(200)
      expect(rps.body.some((pt) => pt.value > 0), `${id}: ${JSON.stringify(rps.body)}`).toBe(true)
    }
    const p95 = await p.deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_series WHERE customer_id = $1 AND metric = 'deployment:e2e_p95_ms'`, [c.customerId])
    expect(p95[0]!.n).toBeGreaterThanOrEqual(deploymentIds.length)
    const batches = (await p.http('GET', `/customers/${c.customerId}/telemetry/batches`, { token: c.token })).body
    expect(batches.batches.every((b: { source: string }) => b.source === 'prometheus')).toBe(true)
    expect(batches.batches.length).toBeGreaterThanOrEqual(2)
    // the agents' evidence names this Prometheus as where each deployment's telemetry came from
    const ctx = await buildContextData(p.deps, c.customerId, loadCatalog())
    expect(ctx.telemetry!.via).toEqual(Object.fromEntries(deploymentIds.map((id) => [id, `Prometheus ${prom!.url}`])))
  }, 120_000)

  it('reports an unreachable Prometheus as failing with its reason, refuses a duplicate, and keeps tenants apart', async () => {
    const c = await p.newCustomer('Unreachable Prom Corp')
    const closed = `http://127.0.0.1:${await freePort()}/`
    const created = await p.http('POST', `/customers/${c.customerId}/telemetry-sources`, { token: c.token, body: { kind: 'prometheus', url: closed } })
    expect(created.status).toBe(201)
    expect(created.body.health).toMatchObject({ status: 'failing', polls: 1, failures: 1, last_error: expect.stringMatching(/ECONNREFUSED/) })
    expect((await p.http('POST', `/customers/${c.customerId}/telemetry-sources`, { token: c.token, body: { kind: 'prometheus', url: closed } })).status).toBe(409)
    expect((await p.http('POST', `/customers/${c.customerId}/telemetry-sources`, { token: c.token, body: { kind: 'prometheus', url: 'ftp://x' } })).body.code).toBe('OPT_TELEMETRY_SOURCE_INVALID')
    const other = await p.newCustomer('Other Prom Corp')
    expect((await p.http('GET', `/customers/${c.customerId}/telemetry-sources`, { token: other.token })).status).toBe(403)
    expect((await p.http('DELETE', `/customers/${c.customerId}/telemetry-sources/${created.body.id}`, { token: other.token })).status).toBe(403)
    expect((await p.http('DELETE', `/customers/${c.customerId}/telemetry-sources/${created.body.id}`, { token: c.token })).status).toBe(204)
    expect((await p.http('GET', `/customers/${c.customerId}/telemetry-sources`, { token: c.token })).body).toEqual([])
  })
})
