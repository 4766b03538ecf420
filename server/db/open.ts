import pg from 'pg'
import { PGlite, types } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { fromPg, fromPglite, type Db } from './db.ts'

/** Where the store lives: PostgreSQL by URL, or embedded PGlite in a folder (or in memory). */
export type StoreTarget =
  | { kind: 'pg'; url: string; schema?: string; poolSize?: number; applicationName?: string }
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob }

/**
 * Opens the store. On PostgreSQL an optional schema isolates a tenant of the test suite; on PGlite
 * the pgvector extension is loaded so the learning memory can use it.
 */
export async function openDb(target: StoreTarget, onError: (err: unknown) => void = () => undefined): Promise<Db> {
  if (target.kind === 'pg') {
    const options = target.schema ? `-c search_path=${target.schema}` : undefined
    // a named application lets an operator (and the failover test) find our backends in pg_stat_activity
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10, options, application_name: target.applicationName ?? 'optiinfra' })
    pool.on('error', () => undefined) // idle-client errors surface on the next query instead of crashing
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))
    pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v))
    const db = fromPg(pool, onError)
    await db.query('SELECT 1')
    return db
  }
  const pglite = await PGlite.create({
    dataDir: target.dataDir,
    loadDataDir: target.loadDataDir,
    extensions: { vector },
    // bigint counts and numeric sums come back as JS numbers on both backends
    parsers: { [types.INT8]: (v: string) => Number(v), [types.NUMERIC]: (v: string) => Number(v) },
  })
  return fromPglite(pglite)
}
