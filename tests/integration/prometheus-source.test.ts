import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../server/clock.ts'
import { freePort, prometheusAvailable, startPrometheus, type RunningPrometheus } from '../../server/test/prometheus-server.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { pollAllSources } from '../../server/telemetry-sources/poll.ts'
import { buildContextData } from '../../server/orchestrator/context.ts'
import { loadCatalog } from '../../server/cloud/catalog/catalog.ts'
import { seedInfrastructure } from '../support/fixtures.ts'

// tags: integration — a real Prometheus (Debian's package) scrapes the simulated fleet's vLLM and
// DCGM endpoints, and a customer whose only telemetry source is that Prometheus gets its
// deployments discovered and its signals through PromQL (issue 11 item 3).
let p: TestPlatform
let prom: RunningPrometheus | undefined
// wall clock: Prometheus scrapes in wall time; workers off, so nothing but the poll feeds telemetry
beforeAll(async () => { p = await startTestPlatform({ clock: systemClock, workers: false, env: { OPTIINFRA_TELEMETRY_ALLOW_PRIVATE: 'true' } }) }, 120_000)
afterAll(async () => { await prom?.stop(); await p?.stop() })

interface Target { kind: string; url: string; deployment_id: string; group: string; instance_id?: string }

/** A Prometheus configuration that scrapes every target of the customer's fleet, labelled as a platform team would. */
function scrapeConfig(base: string, token: string, targets: Target[]): string {
  const origin = new URL(base)
  const statics = targets.map((t) => {
    const labels = { __metrics_path__: new URL(t.url, base).pathname, deployment_id: t.deployment_id, group: t.group, ...(t.instance_id ? { node: t.instance_id } : {}) }
    return `      - targets: ["${origin.host}"]\n        labels: ${JSON.stringify(labels)}`
  })
  return `global: { scrape_interval: 1s }
scrape_configs:
  - job_name: fleet
    authorization: { credentials: ${token} }
    static_configs:
${statics.join('\n')}
`
}

describe('integration: Prometheus as the telemetry source', () => {
  it.skipIf(!prometheusAvailable() && !process.env.CI)('test_prometheus_source_discovers_deployments_and_feeds_signals_through_promql', async () => {
    const c = await p.newCustomer('Prometheus Only Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
    const runtimeToken = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body.agent_token as string
    const targets = (await p.http<{ targets: Target[] }>('GET', '/agent-runtime/targets', { token: runtimeToken })).body.targets
    const deploymentIds = [...new Set(targets.map((t) => t.deployment_id))].sort()
    prom = await startPrometheus(scrapeConfig(p.url, runtimeToken, targets))
    // let Prometheus scrape a few times, so rates and quantiles have a window
    await waitFor(async () => {
      const r = await fetch(`${prom!.url}/api/v1/query?query=${encodeURIComponent('count(count_over_time(vllm:num_requests_running[1m]) >= 3)')}`)
      const body = await r.json() as { data: { result: { value: [number, string] }[] } }
      return Number(body.data.result[0]?.value[1] ?? 0) >= deploymentIds.length
    }, { timeoutMs: 45_000, what: `three scrapes of each deployment (${prom.output().slice(-400)})` })

    const created = await p.http('POST', `/customers/${c.customerId}/telemetry-sources`, { token: c.token, body: { kind: 'prometheus', url: prom.url, headers: { 'X-Scope-OrgID': 'fleet-a' } } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({ kind: 'prometheus', header_names: ['X-Scope-OrgID'], health: { status: 'ok', deployments: deploymentIds, last_error: null } })
    expect(created.body.health.series_found).toBeGreaterThanOrEqual(deploymentIds.length)
    expect(JSON.stringify(created.body)).not.toContain('fleet-a')

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
