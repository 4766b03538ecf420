import type { Db } from '../db/db.ts'

/**
 * A live event: an invalidation hint for one tenant (`rollout:step:completed` + id). Clients
 * refetch the resource; the database is the truth.
 */
export interface LiveEvent { type: string; customerId: string; id?: string; data?: Record<string, unknown>; at: string }

/** Fans events out to WebSocket subscribers in every replica through PostgreSQL NOTIFY. */
export interface LiveHub {
  publish(event: LiveEvent): Promise<void>
  subscribe(customerId: string, fn: (event: LiveEvent) => void): () => void
  start(): Promise<void>
  stop(): Promise<void>
}

const CHANNEL = 'optiinfra_live'
/** Sent to every subscriber after missed hints: refetch everything. */
export const RESYNC_EVENT = 'live:resync'
// NOTIFY payloads are capped at 8000 bytes; events are hints, so oversized data is dropped, not the event.
const MAX_PAYLOAD = 7000

/** Creates the hub over the store's LISTEN/NOTIFY (in-process on PGlite, cross-replica on PostgreSQL). */
export function createLiveHub(db: Db, onError: (err: unknown) => void = () => undefined): LiveHub {
  const subscribers = new Map<string, Set<(e: LiveEvent) => void>>()
  let unlisten: (() => Promise<void>) | null = null
  const deliver = (payload: string) => {
    try {
      const event = JSON.parse(payload) as LiveEvent
      for (const fn of subscribers.get(event.customerId) ?? []) fn(event)
    } catch (err) { onError(err) }
  }
  // Hints sent while the store connection was down are lost: every client refetches what it shows.
  const resync = () => {
    const at = new Date().toISOString()
    for (const [customerId, set] of subscribers) for (const fn of set) fn({ type: RESYNC_EVENT, customerId, at })
  }
  return {
    async publish(event) {
      let payload = JSON.stringify(event)
      if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ ...event, data: { truncated: true } })
      await db.notify(CHANNEL, payload)
    },
    subscribe(customerId, fn) {
      const set = subscribers.get(customerId) ?? new Set()
      set.add(fn)
      subscribers.set(customerId, set)
      return () => { set.delete(fn) }
    },
    async start() { unlisten ??= await db.listen(CHANNEL, deliver, resync) },
    async stop() { await unlisten?.(); unlisten = null },
  }
}
