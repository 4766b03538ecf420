import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import WebSocket from 'ws'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { TEST_PG_URL, testDbKind } from '../../server/test/db.ts'
import { RESYNC_EVENT } from '../../server/http/live.ts'

// tags: integration p0 — issue 13 finding 1: a lost LISTEN connection must not kill the server
async function adminQuery<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: TEST_PG_URL })
  await c.connect()
  try { return (await c.query<T>(sql, values)).rows } finally { await c.end() }
}

describe.skipIf(testDbKind !== 'pg')('store connections heal (PostgreSQL)', () => {
  let p: TestPlatform
  beforeAll(async () => { p = await startTestPlatform() })
  afterAll(async () => { await p?.stop() })

  const appName = async () => (await p.deps.db.query<{ name: string }>("SELECT current_setting('application_name') AS name"))[0]!.name

  it('test_terminating_the_listen_backend_keeps_serving_and_resyncs_live_clients @p0', async () => {
    const c = await p.newCustomer()
    const name = await appName()
    const ws = new WebSocket(`${p.url.replace('http', 'ws')}/ws/customers/${c.customerId}?token=${c.token}`)
    const received: string[] = []
    ws.on('message', (m) => received.push(JSON.parse(String(m)).type))
    await waitFor(async () => received.includes('live:connected'), { what: 'socket open' })
    const listeners = await adminQuery<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [name])
    expect(listeners.length).toBe(1)
    await adminQuery('SELECT pg_terminate_backend($1)', [listeners[0]!.pid])

    await waitFor(async () => received.includes(RESYNC_EVENT), { what: 'resync after reconnect', timeoutMs: 15_000 })
    expect((await p.http('GET', '/health')).status).toBe(200)
    const again = await adminQuery<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [name])
    expect(again.map((r) => r.pid)).not.toContain(listeners[0]!.pid)
    // hints flow again over the new connection
    await p.deps.live.publish({ type: 'customer:updated', customerId: c.customerId, at: new Date().toISOString() })
    await waitFor(async () => received.includes('customer:updated'), { what: 'live event after reconnect' })
    ws.close()
  })

  it('test_terminating_every_backend_of_the_platform_is_survived @p0', async () => {
    const c = await p.newCustomer()
    const name = await appName()
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name])
    const res = await waitFor(async () => {
      const r = await p.http('GET', `/customers/${c.customerId}/recommendations`, { token: c.token })
      return r.status === 200 ? r : undefined
    }, { what: 'API answers again', timeoutMs: 15_000 })
    expect(res.status).toBe(200)
    await waitFor(async () => (await adminQuery("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [name])).length === 1,
      { what: 'LISTEN re-established', timeoutMs: 15_000 })
  })
})
