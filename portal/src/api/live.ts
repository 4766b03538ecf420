import { useEffect, useSyncExternalStore } from 'react'
import { getSession } from './session.ts'
import { invalidate } from './query.ts'
import type { LiveMessage } from './types.ts'

/** Connection state of the live channel, shown in the header. */
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'closed'

let status: LiveStatus = 'idle'
let lastEventAt = 0
const listeners = new Set<() => void>()
function setStatus(s: LiveStatus): void { status = s; for (const fn of listeners) fn() }

/** React hook: the live channel's state. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore((fn) => { listeners.add(fn); return () => { listeners.delete(fn) } }, () => status, () => status)
}

/** Wall time of the last live message (for tests and the header tooltip). */
export function lastLiveEventAt(): number { return lastEventAt }

// Which cached query areas an event of a given area makes stale. Events are `area:noun:verb`;
// areas are matched by prefix so `rollout:*`, `optimization:*` and `workflow:*` all refresh a rollout.
const AREA_RULES: { match: RegExp; areas: string[] }[] = [
  { match: /^(recommendation|recommendations)/, areas: ['recommendations', 'recommendation', 'similar', 'dashboard', 'audit'] },
  { match: /^agent:analysis/, areas: ['recommendations', 'dashboard', 'agents'] },
  { match: /^(optimization|rollout|workflow|execution)/, areas: ['optimization', 'optimizations', 'recommendation', 'recommendations', 'dashboard', 'audit', 'infrastructure'] },
  { match: /^(metric|metrics|telemetry|bill|billing|cost|spend)/, areas: ['metrics', 'dashboard', 'spend'] },
  { match: /^(agent|agents|orchestrator)/, areas: ['dashboard', 'agents'] },
  { match: /^(conflict|resolution)/, areas: ['conflicts', 'recommendations', 'optimizations', 'dashboard', 'audit'] },
  { match: /^(onboarding|infrastructure|discovery|fleet|runtime)/, areas: ['infrastructure', 'dashboard', 'audit', 'tokens', 'spend', 'idle'] },
  { match: /^(customer|preferences|account)/, areas: ['customer', 'customers', 'team', 'audit'] },
  { match: /^(fault|simulator)/, areas: ['faults', 'infrastructure', 'dashboard'] },
  { match: /^(incident|reconciler)/, areas: ['dashboard', 'reconciler', 'audit', 'infrastructure'] },
  { match: /^slo/, areas: ['slos', 'dashboard', 'audit'] },
  { match: /^audit/, areas: ['audit'] },
]

/** The query areas to refetch for one live event type (unknown areas refresh the overview). */
export function areasFor(type: string): string[] {
  const rule = AREA_RULES.find((r) => r.match.test(type))
  return rule ? rule.areas : ['dashboard']
}

// Hints arrive in bursts (a step completes, a metric batch lands): coalesce them.
const pending = new Set<string>()
let flushTimer: ReturnType<typeof setTimeout> | undefined
function hint(areas: string[]): void {
  for (const a of areas) pending.add(a)
  flushTimer ??= setTimeout(() => {
    flushTimer = undefined
    const list = [...pending]
    pending.clear()
    invalidate(list)
  }, 100)
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000]

/**
 * Keeps a WebSocket open to `/ws/customers/{id}` while mounted, reconnecting with backoff. Each
 * message is an invalidation hint: the queries it touches refetch. After a reconnect everything on
 * screen refetches, since hints may have been missed while the socket was down.
 */
export function useLive(customerId: string | null | undefined): void {
  useEffect(() => {
    if (!customerId) return
    let socket: WebSocket | null = null
    let attempt = 0
    let stopped = false
    let retry: ReturnType<typeof setTimeout> | undefined
    const connect = () => {
      const session = getSession()
      if (stopped || !session) return
      setStatus('connecting')
      const proto = location.protocol === 'https:' ? 'wss' : 'ws'
      socket = new WebSocket(`${proto}://${location.host}/ws/customers/${encodeURIComponent(customerId)}?token=${encodeURIComponent(session.token)}`)
      socket.onopen = () => {
        if (attempt > 0) invalidate('all')
        attempt = 0
        setStatus('open')
      }
      socket.onmessage = (e) => {
        lastEventAt = Date.now()
        const msg = parse(e.data)
        // after a resync the server may have missed hints: everything on screen refetches
        if (msg?.type === 'live:resync') invalidate('all')
        else if (msg && msg.type !== 'live:connected') hint(areasFor(msg.type))
      }
      socket.onclose = () => {
        socket = null
        if (stopped) return
        setStatus('closed')
        const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!
        attempt++
        retry = setTimeout(connect, delay)
      }
    }
    connect()
    return () => {
      stopped = true
      if (retry) clearTimeout(retry)
      socket?.close()
      setStatus('idle')
    }
  }, [customerId])
}

function parse(data: unknown): LiveMessage | null {
  if (typeof data !== 'string') return null
  try {
    const m = JSON.parse(data) as LiveMessage
    return typeof m.type === 'string' ? m : null
  } catch {
    return null
  }
}
