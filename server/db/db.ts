import pg from 'pg'
import type { PGlite } from '@electric-sql/pglite'

/**
 * The store seam (pg-boss' IDatabase): parameterized queries, transactions, and optional
 * LISTEN/NOTIFY. Two implementations, `fromPg` and `fromPglite`, pass the same contract suite.
 */
export interface Db {
  readonly kind: 'pg' | 'pglite'
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>
  /** Runs multi-statement SQL (migrations). No parameters. */
  exec(sql: string): Promise<void>
  /** Runs `fn` in one transaction; any throw rolls it back. Nested calls join the outer one. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>
  /**
   * Subscribes to a NOTIFY channel; payloads are hints, the tables are the truth. `onResync` runs
   * after a lost connection was restored: notifications may have been missed, so re-read the tables.
   */
  listen(channel: string, onPayload: (payload: string) => void, onResync?: () => void): Promise<() => Promise<void>>
  notify(channel: string, payload: string): Promise<void>
  close(): Promise<void>
}

/** A FIFO mutex: PGlite has one connection, so a transaction must not interleave with others. */
function createMutex() {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn)
    tail = run.catch(() => undefined)
    return run
  }
}

/** Wraps a pg Pool. Transactions take a dedicated client; all LISTENs share one more client. */
export function fromPg(pool: pg.Pool, onError: (err: unknown) => void = () => undefined): Db {
  const listener = createPgListener(pool, onError)
  const onClient = (client: pg.PoolClient | pg.Pool, inTx: boolean): Db => ({
    kind: 'pg',
    query: async <T>(text: string, values?: unknown[]) => (await client.query(text, values as unknown[])).rows as T[],
    exec: async (sql) => { await client.query(sql) },
    tx: async (fn) => (inTx ? fn(onClient(client, true)) : runPgTx(pool, (c) => fn(onClient(c, true)))),
    listen: (channel, onPayload, onResync) => listener.listen(channel, onPayload, onResync),
    notify: async (channel, payload) => { await client.query('SELECT pg_notify($1, $2)', [channel, payload]) },
    close: async () => { if (!inTx) { await listener.close(); await pool.end() } },
  })
  return onClient(pool, false)
}

async function runPgTx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // A checked-out client has no pool error listener: a backend killed between two statements
  // would emit an unhandled 'error' and end the process. Keep it, and discard the client after.
  let broken: Error | undefined
  const onError = (err: Error) => { broken = err }
  client.on('error', onError)
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.removeListener('error', onError)
    client.release(broken)
  }
}

const quoteIdent = (channel: string) => `"${channel.replace(/"/g, '""')}"`

type Handler = { onPayload: (p: string) => void; onResync?: () => void }

// Reconnect delays after the LISTEN connection is lost (a failover, pg_terminate_backend, a restart).
const RECONNECT_MS = [100, 250, 500, 1000, 2000, 5000]

/**
 * Every LISTEN of one Db goes through a single connection taken from the pool once, so listeners
 * (live hub, workflow engine, agents' task queues) never exhaust the pool however many there are.
 * When that connection dies the process must not: it reconnects with backoff, LISTENs again on every
 * channel, and tells each listener to resync, since notifications sent meanwhile are lost.
 */
function createPgListener(pool: pg.Pool, onError: (err: unknown) => void) {
  let client: Promise<pg.PoolClient> | null = null
  let closed = false
  let attempt = 0
  let retry: ReturnType<typeof setTimeout> | undefined
  const handlers = new Map<string, Set<Handler>>()
  const dispatch = (msg: pg.Notification) => { for (const h of handlers.get(msg.channel) ?? []) h.onPayload(msg.payload ?? '') }
  const open = async (): Promise<pg.PoolClient> => {
    const c = await pool.connect()
    let gone = false
    const onLost = (err: unknown) => { if (!gone) { gone = true; lost(c, err) } }
    c.on('notification', dispatch)
    c.on('error', onLost)
    c.once('end', () => onLost(new Error('LISTEN connection ended')))
    for (const channel of handlers.keys()) await c.query(`LISTEN ${quoteIdent(channel)}`)
    return c
  }
  const lost = (c: pg.PoolClient, err: unknown) => {
    c.removeListener('notification', dispatch)
    if (closed) return
    try { c.release(err instanceof Error ? err : true) } catch { /* already released */ }
    onError(err)
    client = null
    scheduleReconnect()
  }
  const scheduleReconnect = () => {
    if (closed || retry) return
    const delay = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)]!
    retry = setTimeout(() => {
      retry = undefined
      connect().then(() => {
        attempt = 0
        for (const set of handlers.values()) for (const h of set) h.onResync?.()
      }, (err) => { onError(err); scheduleReconnect() })
    }, delay)
  }
  const connect = () => (client ??= open().catch((err: unknown) => { client = null; throw err }))
  return {
    async listen(channel: string, onPayload: (p: string) => void, onResync?: () => void) {
      const handler: Handler = { onPayload, onResync }
      const set = handlers.get(channel) ?? new Set()
      const first = !set.size
      set.add(handler)
      handlers.set(channel, set)
      // a new client LISTENs on every known channel as it opens; an open one needs this channel added
      const existing = client
      const c = await connect()
      if (first && existing) await c.query(`LISTEN ${quoteIdent(channel)}`)
      return async () => {
        set.delete(handler)
        if (set.size) return
        handlers.delete(channel)
        const current = client && await client.catch(() => null)
        await current?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined)
      }
    },
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      handlers.clear()
      const c = client && await client.catch(() => null)
      client = null
      c?.release()
    },
  }
}

/**
 * Wraps a PGlite instance. Every top-level statement and every transaction takes one mutex, and
 * a failed statement inside a transaction rolls it back, because PGlite's single connection would
 * otherwise interleave concurrent callers and a failed statement poisons the rest of a transaction.
 */
export function fromPglite(pglite: PGlite): Db {
  const exclusive = createMutex()
  const raw = {
    query: async <T>(text: string, values?: unknown[]) => (await pglite.query<T>(text, values)).rows,
    exec: async (sql: string) => { await pglite.exec(sql) },
  }
  const inTx: Db = {
    kind: 'pglite', ...raw,
    tx: (fn) => fn(inTx),
    listen: () => Promise.reject(new Error('listen inside a transaction')),
    notify: async (channel, payload) => { await raw.query('SELECT pg_notify($1, $2)', [channel, payload]) },
    close: async () => undefined,
  }
  return {
    kind: 'pglite',
    query: (text, values) => exclusive(() => raw.query(text, values)),
    exec: (sql) => exclusive(() => raw.exec(sql)),
    tx: (fn) => exclusive(async () => {
      await raw.exec('BEGIN')
      try {
        const result = await fn(inTx)
        await raw.exec('COMMIT')
        return result
      } catch (err) {
        await raw.exec('ROLLBACK').catch(() => undefined)
        throw err
      }
    }),
    listen: async (channel, onPayload) => {
      const unsub = await pglite.listen(channel, onPayload)
      return async () => { await unsub() }
    },
    notify: (channel, payload) => exclusive(async () => { await raw.query('SELECT pg_notify($1, $2)', [channel, payload]) }),
    close: () => pglite.close(),
  }
}
