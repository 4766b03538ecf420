/**
 * The notification dispatcher: one replica at a time (a lease) walks each webhook's audit cursor,
 * posts each entry's payload, retries a failing endpoint with capped backoff and gives up on an entry
 * after MAX_ATTEMPTS (recorded as failed), so one dead endpoint never blocks the others.
 */
import { hostname } from 'node:os'
import type { Logger } from 'pino'
import type { Db } from '../db/db.ts'
import { holdLease, releaseLease } from '../db/lease.ts'
import type { Service } from '../services.ts'
import { MAX_ATTEMPTS, eventOf, retryDelayMs, slackPayload, type AuditRow } from './notification.ts'
import { dueWebhooks, pendingEntries, retryLater, settle, type Webhook } from './store.ts'

export interface DispatchDeps {
  db: Db
  log: Logger
  /** Wall time: retry delays are about the receiving endpoint, not the fleet clock. */
  wallNow(): Date
  portalUrl(): string
  post(url: string, body: unknown): Promise<{ status: number }>
}

const LEASE = 'notifications'
const POLL_MS = 1000
const LEASE_MS = 15_000

/** Posts JSON with a timeout; any answer but 2xx is a failure. */
export async function postJson(url: string, body: unknown): Promise<{ status: number }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000), redirect: 'error' })
  await res.arrayBuffer().catch(() => undefined)
  return { status: res.status }
}

/** Delivers what is due for one webhook; answers how many entries it settled. */
export async function deliverDue(d: DispatchDeps, w: Webhook): Promise<number> {
  let settled = 0
  for (const row of await pendingEntries(d.db, w)) {
    const event = eventOf(row)
    if (!event || !w.events.includes(event)) {
      await settle(d.db, w, row, null, d.wallNow())
      settled++
      continue
    }
    const outcome = await attempt(d, w, row)
    if (outcome === 'retry') break
    settled++
  }
  return settled
}

async function attempt(d: DispatchDeps, w: Webhook, row: AuditRow): Promise<'settled' | 'retry'> {
  const event = eventOf(row)!
  const attempts = w.attempts + 1
  let status: number | null = null
  let error: string | null = null
  try {
    status = (await d.post(w.url, slackPayload(event, row, d.portalUrl()))).status
    if (status < 200 || status >= 300) error = `HTTP ${status}`
  } catch (err) { error = String((err as Error).message ?? err).slice(0, 300) }
  if (!error || attempts >= MAX_ATTEMPTS) {
    if (error) d.log.warn({ webhook: w.id, auditId: row.id, error }, 'notification given up')
    await settle(d.db, w, row, { event, status: error ? 'failed' : 'delivered', attempts, http_status: status, error }, d.wallNow())
    w.attempts = 0
    return 'settled'
  }
  await retryLater(d.db, w, attempts, new Date(d.wallNow().getTime() + retryDelayMs(attempts)))
  w.attempts = attempts
  return 'retry'
}

/** The dispatcher as a platform service. */
export function notificationService(d: DispatchDeps): Service {
  const holder = `${hostname()}:${process.pid}:${Math.floor(performance.timeOrigin)}`
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  const tick = async () => {
    try {
      if (!(await holdLease(d.db, LEASE, holder, LEASE_MS))) return
      for (const w of await dueWebhooks(d.db, d.wallNow())) await deliverDue(d, w)
    } catch (err) { d.log.warn({ err }, 'notification dispatch failed; retrying') }
  }
  const loop = () => { running = tick().finally(() => { if (timer) timer = setTimeout(loop, POLL_MS) }) }
  return {
    name: 'notifications',
    start: async () => { timer = setTimeout(loop, POLL_MS) },
    stop: async () => {
      if (timer) clearTimeout(timer)
      timer = null
      await running
      await releaseLease(d.db, LEASE, holder).catch(() => undefined)
    },
  }
}
