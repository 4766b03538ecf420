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
  /** Subscribes to a NOTIFY channel; payloads are hints, the tables are the truth. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
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
export function fromPg(pool: pg.Pool): Db {
  const listener = createPgListener(pool)
  const onClient = (client: pg.PoolClient | pg.Pool, inTx: boolean): Db => ({
    kind: 'pg',
    query: async <T>(text: string, values?: unknown[]) => (await client.query(text, values as unknown[])).rows as T[],
    exec: async (sql) => { await client.query(sql) },
    tx: async (fn) => (inTx ? fn(onClient(client, true)) : runPgTx(pool, (c) => fn(onClient(c, true)))),
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    notify: async (channel, payload) => { await client.query('SELECT pg_notify($1, $2)', [channel, payload]) },
    close: async () => { if (!inTx) { await listener.close(); await pool.end() } },
  })
  return onClient(pool, false)
}

async function runPgTx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}

const quoteIdent = (channel: string) => `"${channel.replace(/"/g, '""')}"`

/**
 * Every LISTEN of one Db goes through a single connection taken from the pool once, so listeners
 * (live hub, workflow engine, agents' task queues) never exhaust the pool however many there are.
 */
function createPgListener(pool: pg.Pool) {
  let client: Promise<pg.PoolClient> | null = null
  const handlers = new Map<string, Set<(p: string) => void>>()
  const connect = () => {
    client ??= pool.connect().then((c) => {
      c.on('notification', (msg) => { for (const fn of handlers.get(msg.channel) ?? []) fn(msg.payload ?? '') })
      return c
    })
    return client
  }
  return {
    async listen(channel: string, onPayload: (p: string) => void) {
      const c = await connect()
      const set = handlers.get(channel) ?? new Set()
      if (!set.size) await c.query(`LISTEN ${quoteIdent(channel)}`)
      set.add(onPayload)
      handlers.set(channel, set)
      return async () => {
        set.delete(onPayload)
        if (!set.size) { handlers.delete(channel); await c.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined) }
      }
    },
    async close() {
      if (!client) return
      const c = await client
      client = null
      handlers.clear()
      c.release()
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
