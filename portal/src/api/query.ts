import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react'

/**
 * A small query cache: components ask for data by key, the live hook invalidates keys by area
 * (the key's first element) when the server hints that something changed, and every mounted
 * query of that area refetches. Data already shown stays visible while it refetches.
 */
export type QueryKey = readonly [string, ...unknown[]]

/** What a component sees of one query. */
export interface QueryState<T> {
  data: T | undefined
  error: unknown
  /** True only while there is nothing to show yet. */
  loading: boolean
  /** True whenever a request is in flight (including background refetches). */
  fetching: boolean
  updatedAt: number
  refetch: () => void
}

interface Entry {
  area: string
  snapshot: Omit<QueryState<unknown>, 'refetch'>
  fetcher: () => Promise<unknown>
  listeners: Set<() => void>
  inFlight: boolean
  again: boolean
  stale: boolean
  minIntervalMs: number
  timer?: ReturnType<typeof setTimeout>
}

const cache = new Map<string, Entry>()
// Data older than this is refetched when a component mounts it again.
const STALE_AFTER_MS = 15_000

function set(entry: Entry, patch: Partial<Entry['snapshot']>): void {
  entry.snapshot = { ...entry.snapshot, ...patch }
  for (const fn of entry.listeners) fn()
}

async function run(entry: Entry): Promise<void> {
  if (entry.inFlight) { entry.again = true; return }
  entry.inFlight = true
  entry.stale = false
  set(entry, { fetching: true })
  try {
    const data = await entry.fetcher()
    set(entry, { data, error: undefined, loading: false, fetching: false, updatedAt: Date.now() })
  } catch (error) {
    set(entry, { error, loading: false, fetching: false, updatedAt: Date.now() })
  } finally {
    entry.inFlight = false
    if (entry.again) { entry.again = false; void run(entry) }
  }
}

// Throttled refetch: hot areas (metrics) may be hinted many times a second.
function schedule(entry: Entry): void {
  if (entry.timer) return
  const wait = Math.max(0, entry.snapshot.updatedAt + entry.minIntervalMs - Date.now())
  if (wait === 0) { void run(entry); return }
  entry.timer = setTimeout(() => { entry.timer = undefined; void run(entry) }, wait)
}

function entryFor(id: string, key: QueryKey, fetcher: () => Promise<unknown>, minIntervalMs: number): Entry {
  let entry = cache.get(id)
  if (!entry) {
    entry = {
      area: key[0], fetcher, listeners: new Set(), inFlight: false, again: false, stale: true, minIntervalMs,
      snapshot: { data: undefined, error: undefined, loading: true, fetching: false, updatedAt: 0 },
    }
    cache.set(id, entry)
  }
  return entry
}

/** Options of one query. */
export interface QueryOptions<T = unknown> { enabled?: boolean; pollMs?: number; minIntervalMs?: number; initialData?: () => T | undefined }

/** Reads data for `key`, fetching it when first needed and whenever its area is invalidated. */
export function useQuery<T>(key: QueryKey, fetcher: () => Promise<T>, opts: QueryOptions<T> = {}): QueryState<T> {
  const id = JSON.stringify(key)
  const enabled = opts.enabled ?? true
  const entry = entryFor(id, key, fetcher, opts.minIntervalMs ?? 0)
  if (entry.snapshot.data === undefined && !entry.inFlight && enabled && opts.initialData) {
    // data that already arrived (the prefetch): shown in this very render, fresh, no request
    const initial = opts.initialData()
    if (initial !== undefined) {
      entry.snapshot = { data: initial, error: undefined, loading: false, fetching: false, updatedAt: Date.now() }
      entry.stale = false
    }
  }
  entry.fetcher = fetcher
  const subscribe = useCallback((fn: () => void) => {
    entry.listeners.add(fn)
    return () => { entry.listeners.delete(fn) }
  }, [entry])
  const snapshot = useSyncExternalStore(subscribe, () => entry.snapshot, () => entry.snapshot)
  useEffect(() => {
    if (!enabled) return
    if (entry.stale || Date.now() - entry.snapshot.updatedAt > STALE_AFTER_MS) void run(entry)
  }, [entry, enabled])
  useEffect(() => {
    if (!enabled || !opts.pollMs) return
    const t = setInterval(() => void run(entry), opts.pollMs)
    return () => clearInterval(t)
  }, [entry, enabled, opts.pollMs])
  const refetch = useCallback(() => void run(entry), [entry])
  const s = snapshot as QueryState<T>
  return { ...s, loading: enabled ? s.loading : false, refetch }
}

/** Marks every query of these areas stale and refetches the mounted ones. */
export function invalidate(areas: readonly string[] | 'all'): void {
  for (const entry of cache.values()) {
    if (areas !== 'all' && !areas.includes(entry.area)) continue
    entry.stale = true
    if (entry.listeners.size > 0) schedule(entry)
  }
}

/** Forgets everything (logout: the next user must never see the previous one's data). */
export function clearCache(): void {
  for (const entry of cache.values()) if (entry.timer) clearTimeout(entry.timer)
  cache.clear()
}

/** State of a user action (approve, reject, save…). */
export interface ActionState<A extends unknown[], R> { run: (...args: A) => Promise<R | undefined>; pending: boolean; error: unknown; reset: () => void }

/** Wraps a mutating call: tracks pending and error, and never lets a failure escape unhandled. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): ActionState<A, R> {
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const fnRef = useRef(fn)
  fnRef.current = fn
  const runAction = useCallback(async (...args: A) => {
    setPending(true)
    setError(undefined)
    try {
      return await fnRef.current(...args)
    } catch (err) {
      setError(err)
      return undefined
    } finally {
      setPending(false)
    }
  }, [])
  return { run: runAction, pending, error, reset: () => setError(undefined) }
}
