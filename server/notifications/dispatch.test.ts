import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb } from '../test/db.ts'
import type { Db } from '../db/db.ts'
import { manualClock } from '../clock.ts'
import { insertCustomer } from '../customers/store.ts'
import { recordAudit } from '../audit/store.ts'
import { deliverDue, type DispatchDeps } from './dispatch.ts'
import { MAX_ATTEMPTS, eventOf, slackPayload, webhookUrlProblem } from './notification.ts'
import { dueWebhooks, insertWebhook, listDeliveries } from './store.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const clock = manualClock(new Date('2026-03-02T12:00:00Z'))
let wall = Date.parse('2026-03-02T12:00:00Z')

/** A dispatcher whose endpoint answers the given statuses in turn (then 200). */
function dispatcher(statuses: number[]) {
  const posted: { url: string; body: any }[] = []
  const d: DispatchDeps = {
    db, log: pino({ level: 'silent' }), wallNow: () => new Date(wall), portalUrl: () => 'https://optiinfra.example',
    post: async (url, body) => { posted.push({ url, body }); return { status: statuses.shift() ?? 200 } },
  }
  return { d, posted }
}

async function customerWithEvents() {
  const c = await insertCustomer(db, { company_name: 'Notify Co', plan: 'pro' })
  const w = await insertWebhook(db, { customerId: c.id, url: 'https://hooks.example/T1', events: ['approval_needed', 'rolled_back'] }, clock.now())
  const audit = (action: string, detail: Record<string, unknown> = {}) => recordAudit(db, clock, { customerId: c.id, actor: 'test', action, subjectType: 'recommendation', subjectId: 'rec-1', detail })
  return { c, w, audit }
}

describe('notification dispatch', () => {
  it('sends only the events a webhook asked for, in order, once', async () => {
    const { c, w, audit } = await customerWithEvents()
    await audit('recommendation:validation:approved', { validation_status: 'validating' })
    await audit('recommendation:validation:approved', { validation_status: 'validated' })
    await audit('recommendation:completed')
    await audit('recommendation:rolled_back', { reason: 'quality drop 8 pp' })
    const { d, posted } = dispatcher([])
    await deliverDue(d, w)
    expect(posted.map((p) => p.body.text)).toEqual([
      expect.stringMatching(/waiting for approval: recommendation rec-1$/),
      expect.stringMatching(/rolled back: recommendation rec-1 — quality drop 8 pp/),
    ])
    const [again] = (await dueWebhooks(db, new Date(wall))).filter((x) => x.id === w.id)
    await deliverDue(d, again!)
    expect(posted).toHaveLength(2)
    expect((await listDeliveries(db, c.id)).map((x) => [x.event, x.status])).toEqual([['rolled_back', 'delivered'], ['approval_needed', 'delivered']])
  })

  it('retries a failing endpoint with backoff and gives up after the last attempt, then moves on', async () => {
    const { c, w, audit } = await customerWithEvents()
    await audit('recommendation:rolled_back', { reason: 'first' })
    await audit('recommendation:rolled_back', { reason: 'second' })
    const { d, posted } = dispatcher(Array(MAX_ATTEMPTS).fill(503))
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      const due = (await dueWebhooks(db, new Date(wall))).find((x) => x.id === w.id)
      if (due) await deliverDue(d, due)
      wall += 10 * 60_000
    }
    const deliveries = await listDeliveries(db, c.id)
    expect(deliveries.map((x) => [x.status, x.attempts])).toEqual([['delivered', 1], ['failed', MAX_ATTEMPTS]])
    expect(posted.filter((p) => p.body.text.includes('first'))).toHaveLength(MAX_ATTEMPTS)
    expect(deliveries[1]!.error).toBe('HTTP 503')
  })

  it('a new webhook does not replay the past', async () => {
    const { c, audit } = await customerWithEvents()
    await audit('recommendation:rolled_back')
    const late = await insertWebhook(db, { customerId: c.id, url: 'https://hooks.example/late', events: ['rolled_back'] }, clock.now())
    const { d, posted } = dispatcher([])
    await deliverDue(d, late)
    expect(posted).toHaveLength(0)
  })

  it('payloads are Slack-compatible and URLs into private networks are refused', () => {
    const row = { id: '1', customer_id: 'c', action: 'incident:opened', subject_type: 'deployment', subject_id: 'chat', detail: { reason: 'no healthy instance' }, at: '2026-03-02T12:00:00.000Z' }
    expect(eventOf(row)).toBe('incident')
    const p = slackPayload('incident', row, 'https://o.example')
    expect(p.text).toMatch(/Incident: deployment chat — no healthy instance/)
    expect(p.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } })
    expect(webhookUrlProblem('https://hooks.slack.com/services/T/B/X', false)).toBeNull()
    for (const bad of ['http://hooks.example/x', 'https://127.0.0.1/x', 'https://169.254.169.254/latest', 'https://[::1]/x', 'https://user:pw@h.example/x', 'nope']) {
      expect(webhookUrlProblem(bad, false), bad).not.toBeNull()
    }
    expect(webhookUrlProblem('http://127.0.0.1:9/x', true)).toBeNull()
  })
})
