import { createServer, type Server } from 'node:http'
import { compressSync } from 'snappy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../server/clock.ts'
import { encodeWriteRequest } from '../../server/remote-write/decode.ts'
import { prometheusAvailable, startPrometheus, type RunningPrometheus } from '../../server/test/prometheus-server.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { freshDb } from '../../server/test/db.ts'
import type { Db } from '../../server/db/db.ts'

// tags: integration — Prometheus remote-write (a real Prometheus pushing) and ingestion back-pressure
let p: TestPlatform
let prom: RunningPrometheus | undefined
let exporter: Server | undefined
// wall clock: a real Prometheus stamps samples with the time of day, and ingestion checks their age
beforeAll(async () => { p = await startTestPlatform({ clock: systemClock, workers: false }) })
afterAll(async () => { await prom?.stop(); exporter?.close(); await p?.stop() })

/** What a Prometheus sends: snappy-compressed protobuf, the runtime token as bearer. */
function pushWrite(base: string, body: Buffer, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' }
  if (token) headers.authorization = `Bearer ${token}`
  return fetch(`${base}/api/v1/write`, { method: 'POST', body: new Uint8Array(body), headers })
}

async function runtimeToken(on: TestPlatform, c: { customerId: string; token: string }): Promise<string> {
  const res = await on.http<{ agent_token: string }>('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })
  expect(res.status).toBe(200)
  return res.body.agent_token
}

/**
 * A vLLM-shaped endpoint: every scrape adds 100 requests, all between 0.25 s and 0.5 s, so the
 * p95 Prometheus computes is 250 + 0.95 × 250 = 487.5 ms (histogram_quantile interpolates linearly).
 */
async function startVllmExporter(): Promise<string> {
  let requests = 0
  exporter = createServer((_req, res) => {
    requests += 100
    const m = 'vllm:e2e_request_latency_seconds'
    res.setHeader('content-type', 'text/plain; version=0.0.4')
    res.end([
      `# TYPE ${m} histogram`,
      `${m}_bucket{model_name="llama",le="0.25"} 0`, `${m}_bucket{model_name="llama",le="0.5"} ${requests}`,
      `${m}_bucket{model_name="llama",le="+Inf"} ${requests}`, `${m}_count{model_name="llama"} ${requests}`, `${m}_sum{model_name="llama"} ${requests * 0.4}`, '',
    ].join('\n'))
  })
  await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', r))
  return `127.0.0.1:${(exporter.address() as { port: number }).port}`
}

const RULES = `groups:
  - name: optiinfra
    interval: 1s
    rules:
      - record: deployment:e2e_p95_ms
        expr: 1000 * histogram_quantile(0.95, sum by (le, deployment_id, group) (rate(vllm:e2e_request_latency_seconds_bucket[5s])))
`

describe('integration: Prometheus remote-write', () => {
  it.skipIf(!prometheusAvailable() && !process.env.CI)('test_real_prometheus_remote_write_lands_in_the_metrics_api', async () => {
    const c = await p.newCustomer('Remote Write Corp')
    const token = await runtimeToken(p, c)
    const target = await startVllmExporter()
    prom = await startPrometheus(`global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ["$RULES_DIR/rules.yml"]
scrape_configs:
  - job_name: vllm
    static_configs: [{ targets: ["${target}"], labels: { deployment_id: chat-1, group: stable } }]
remote_write:
  - url: ${p.url}/api/v1/write
    authorization: { credentials: ${token} }
    queue_config: { batch_send_deadline: 1s, min_backoff: 50ms, max_backoff: 1s, retry_on_http_429: true }
`, { 'rules.yml': RULES })
    const points = await waitFor(async () => {
      const res = await p.http<{ value: number }[]>('GET', `/customers/${c.customerId}/metrics?metric_type=e2e_p95_ms&deployment_id=chat-1`, { token: c.token })
      return res.status === 200 && res.body.some((pt) => pt.value > 0) ? res.body : undefined
    }, { timeoutMs: 45_000, what: `recorded p95 pushed by Prometheus (${prom.output().slice(-500)})` })
    expect(points.find((pt) => pt.value > 0)!.value).toBeCloseTo(487.5, 0)
    const batches = (await p.http('GET', `/customers/${c.customerId}/telemetry/batches`, { token: c.token })).body
    expect(batches.batches.some((b: { source: string; stored: number }) => b.source === 'remote_write' && b.stored > 0)).toBe(true)
    expect(batches.totals.received).toBe(batches.totals.stored + batches.totals.duplicates + batches.totals.quarantined)
  }, 60_000)

  it('test_remote_write_refuses_bodies_it_cannot_read_and_callers_without_a_runtime_token', async () => {
    const c = await p.newCustomer('Bad Write Corp')
    const token = await runtimeToken(p, c)
    const post = (body: Buffer, t?: string) => pushWrite(p.url, body, t)
    const garbage = await post(Buffer.from('not snappy'), token)
    expect(garbage.status).toBe(400)
    expect(await garbage.json()).toMatchObject({ code: 'OPT_REMOTE_WRITE_INVALID', requestId: expect.any(String) })
    const valid = compressSync(encodeWriteRequest({ timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: Date.now() }] }] }))
    expect((await post(valid)).status).toBe(401)
    expect((await post(valid, c.token)).status).toBe(403)
  })
})

/** The store behind a gate: while it is closed, transactions wait (a store slowed by load). */
function gatedDb(db: Db) {
  let gate: Promise<void> | null = null
  let open = () => {}
  const gated: Db = { ...db, kind: db.kind, tx: async (fn) => { if (gate) await gate; return db.tx(fn) } }
  return { db: gated, close: () => { gate = new Promise((r) => { open = r }) }, open: () => { gate = null; open() } }
}

describe('integration: ingestion back-pressure', () => {
  it('test_ingestion_under_overload_answers_429_with_retry_after_and_loses_nothing', async () => {
    const store = await freshDb()
    const gated = gatedDb(store.db)
    const q = await startTestPlatform({ clock: systemClock, workers: false, db: gated.db, env: { OPTIINFRA_INGEST_MAX_IN_FLIGHT: '2' } })
    try {
      const c = await q.newCustomer('Overload Corp')
      const token = await runtimeToken(q, c)
      const now = Date.now()
      // 8 batches of 2,000 distinct samples each, sent together against a bound of 2 batches in flight
      const bodies = Array.from({ length: 8 }, (_, b) => compressSync(encodeWriteRequest({
        timeseries: Array.from({ length: 20 }, (_, s) => ({
          labels: [{ name: '__name__', value: 'vllm:num_requests_running' }, { name: 'shard', value: `${b}-${s}` }],
          samples: Array.from({ length: 100 }, (_, i) => ({ value: i, timestamp: now - 60_000 + i * 100 })),
        })),
      })))
      const send = (body: Buffer) => pushWrite(q.url, body, token)
      gated.close()
      const refused: Buffer[] = []
      const pending = bodies.map(async (body) => {
        const res = await send(body)
        if (res.status !== 429) return res.status
        expect(res.headers.get('retry-after')).toBe('1')
        expect(await res.json()).toMatchObject({ code: 'OPT_INGEST_BUSY', requestId: expect.any(String) })
        refused.push(body)
        return 429
      })
      // the two admitted batches wait on the store; the other six are refused at once, whole
      await waitFor(async () => refused.length === 6, { what: 'six refusals while two batches hold the store' })
      gated.open()
      expect((await Promise.all(pending)).sort()).toEqual([200, 200, 429, 429, 429, 429, 429, 429])
      // a sender resends after Retry-After (Prometheus' queue and the runtime's buffer both do)
      for (const body of refused) expect((await send(body)).status).toBe(200)
      const { totals } = (await q.http('GET', `/customers/${c.customerId}/telemetry/batches`, { token: c.token })).body
      expect(totals).toMatchObject({ batches: 8, received: 16_000, stored: 16_000, duplicates: 0, quarantined: 0 })
    } finally {
      gated.open()
      await q.stop()
      await store.drop()
    }
  })

})
