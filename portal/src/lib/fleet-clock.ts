import { useEffect, useState } from 'react'
import { health } from '../api/endpoints.ts'
import { useQuery } from '../api/query.ts'

/**
 * The platform's clock. Fleet time may run faster than the wall (the demo's `--time-scale`), so
 * time windows ("last 6 h") and "3 min ago" are taken against the server's `now`, read from
 * `/health`, never the browser's.
 */
let last: { at: number; promise: Promise<Date> } | null = null

/** The server's current time; concurrent callers within 300 ms share one request. */
export function fleetNow(): Promise<Date> {
  const wall = Date.now()
  if (last && wall - last.at < 300) return last.promise
  const promise = health().then((h) => (h.time ? new Date(h.time) : new Date())).catch(() => new Date())
  last = { at: wall, promise }
  return promise
}

/** React hook: the server's time, refreshed every few seconds (for relative times). */
export function useFleetNow(): Date | null {
  return useQuery(['clock'], fleetNow, { pollMs: 5000 }).data ?? null
}

/**
 * React hook: the wall clock, ticking every 5 s. Agent heartbeats are liveness signals stamped in
 * wall time (not fleet time), so "last heartbeat 12 s ago" is measured against this one.
 */
export function useWallNow(): Date {
  const [now, setNow] = useState(() => new Date())
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 5000)
    return () => clearInterval(t)
  }, [])
  return now
}
