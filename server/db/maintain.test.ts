import { describe, expect, it } from 'vitest'
import { maintain, needs } from './maintain.ts'
import { openDb } from './open.ts'
import { freshDb, testDbKind } from '../test/db.ts'

describe('embedded store maintenance (autovacuum’s rule)', () => {
  it('vacuums a table whose dead rows pass 50 + 20% of its live rows', () => {
    expect(needs({ table: 't', live: 1000, dead: 251, modifiedSinceAnalyze: 0 })).toBe('vacuum')
    expect(needs({ table: 't', live: 1000, dead: 250, modifiedSinceAnalyze: 0 })).toBeNull()
  })
  it('analyzes a table modified by more than 50 + 10% of its rows since its last analyze', () => {
    expect(needs({ table: 't', live: 1000, dead: 0, modifiedSinceAnalyze: 151 })).toBe('analyze')
    expect(needs({ table: 't', live: 1000, dead: 0, modifiedSinceAnalyze: 150 })).toBeNull()
  })

  it('reclaims the dead rows retention leaves in PGlite, which has no autovacuum worker', async () => {
    const db = await openDb({ kind: 'pglite' })
    await db.exec('CREATE TABLE samples (id int PRIMARY KEY, v float8)')
    await db.query('INSERT INTO samples SELECT g, random() FROM generate_series(1, 2000) g')
    await db.query('DELETE FROM samples WHERE id > 500')
    const dead = async () => Number((await db.query<{ n: string }>(`SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = 'samples'`))[0]!.n)
    await db.query('SELECT pg_stat_force_next_flush()')
    expect(await dead()).toBe(1500)
    expect(await maintain(db)).toEqual({ vacuumed: ['samples'], analyzed: [] })
    await db.query('SELECT pg_stat_force_next_flush()')
    expect(await dead()).toBe(0)
    expect(await maintain(db)).toEqual({ vacuumed: [], analyzed: [] })
    await db.close()
  })

  it.runIf(testDbKind === 'pg')('leaves PostgreSQL to its own autovacuum', async () => {
    const { db, drop } = await freshDb()
    expect(await maintain(db)).toEqual({ vacuumed: [], analyzed: [] })
    await db.close()
    await drop()
  })
})
