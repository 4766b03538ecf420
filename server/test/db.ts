import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDb } from '../db/open.ts'
import { migrate } from '../db/migrate.ts'
import { fromPglite, type Db } from '../db/db.ts'

/** Which store the suite runs on: `OPTIINFRA_TEST_DB=postgres` selects the machine's PostgreSQL. */
export const testDbKind: 'pg' | 'pglite' = process.env.OPTIINFRA_TEST_DB === 'postgres' ? 'pg' : 'pglite'
export const TEST_PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/optiinfra_test'

let template: Promise<Blob> | null = null

// PGlite's initdb costs ~3 s; a migrated data dir dumped once per worker and loaded per store costs ~0.5 s.
async function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const { PGlite } = await import('@electric-sql/pglite')
    const { vector } = await import('@electric-sql/pglite-pgvector')
    const pglite = await PGlite.create({ extensions: { vector } })
    await migrate(fromPglite(pglite))
    const dump = await pglite.dumpDataDir('none')
    await pglite.close()
    return dump
  })()
  return template
}

/**
 * A fresh, migrated store for one test or test server: PGlite in memory (from the template), or a
 * new schema on PostgreSQL. `drop` removes the schema; callers skip it when the test failed.
 */
export async function freshDb(): Promise<{ db: Db; drop: () => Promise<void>; schema?: string }> {
  if (testDbKind === 'pglite') {
    const db = await openDb({ kind: 'pglite', loadDataDir: await pgliteTemplate() })
    return { db, drop: async () => undefined }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_PG_URL })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.end()
  const db = await openDb({ kind: 'pg', url: TEST_PG_URL, schema, poolSize: 5, applicationName: `optiinfra-${schema}` })
  await migrate(db)
  return {
    db, schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await c.end()
    },
  }
}
