import { describe, expect, it } from 'vitest'
import { describeDbContract } from './db.contract.ts'
import { openDb } from './open.ts'
import { freshDb, testDbKind } from '../test/db.ts'
import { loadMigrations, migrate } from './migrate.ts'

describeDbContract('pglite', async () => ({ db: await openDb({ kind: 'pglite' }), drop: async () => undefined }))
if (testDbKind === 'pg') describeDbContract('postgres', freshDb)

describe('migrations', () => {
  it('are numbered without gaps and each applied once', async () => {
    const migrations = await loadMigrations()
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
    const { db, drop } = await freshDb()
    expect(await migrate(db)).toEqual([])
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version))
    await db.close()
    await drop()
  })
})
