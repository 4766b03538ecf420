import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from './db.ts'

/**
 * The behaviour every Db implementation must have; run against PGlite always and against
 * PostgreSQL under OPTIINFRA_TEST_DB=postgres (pg-boss runs its whole suite on both the same way).
 */
export function describeDbContract(name: string, make: () => Promise<{ db: Db; drop: () => Promise<void> }>) {
  describe(`Db contract: ${name}`, () => {
    let db: Db
    let drop: () => Promise<void>
    beforeAll(async () => {
      ;({ db, drop } = await make())
      await db.exec('CREATE TABLE contract_t (id int PRIMARY KEY, v text NOT NULL); CREATE TABLE contract_n (id serial PRIMARY KEY, n bigint, x numeric)')
    })
    afterAll(async () => { await db.close(); await drop() })

    it('runs parameterized queries and returns rows', async () => {
      await db.query('INSERT INTO contract_t (id, v) VALUES ($1, $2)', [1, "it's"])
      expect(await db.query('SELECT v FROM contract_t WHERE id = $1', [1])).toEqual([{ v: "it's" }])
    })

    it('treats parameters as data, never as SQL', async () => {
      const evil = "1' OR '1'='1"
      expect(await db.query('SELECT v FROM contract_t WHERE v = $1', [evil])).toEqual([])
    })

    it('returns bigint and numeric as JS numbers', async () => {
      await db.query('INSERT INTO contract_n (n, x) VALUES ($1, $2)', [9_007_199_254, 12.5])
      const [row] = await db.query<{ n: unknown; x: unknown; c: unknown }>('SELECT n, x, count(*) OVER () AS c FROM contract_n')
      expect(row).toEqual({ n: 9_007_199_254, x: 12.5, c: 1 })
    })

    it('commits a transaction as a whole', async () => {
      await db.tx(async (tx) => {
        await tx.query('INSERT INTO contract_t VALUES (10, $1)', ['a'])
        await tx.query('INSERT INTO contract_t VALUES (11, $1)', ['b'])
      })
      expect((await db.query('SELECT id FROM contract_t WHERE id >= 10 ORDER BY id')).length).toBe(2)
    })

    it('rolls back every statement of a failed transaction and stays usable', async () => {
      await expect(db.tx(async (tx) => {
        await tx.query('INSERT INTO contract_t VALUES (20, $1)', ['x'])
        await tx.query('INSERT INTO contract_t VALUES (20, $1)', ['dup'])
      })).rejects.toThrow()
      expect(await db.query('SELECT id FROM contract_t WHERE id = 20')).toEqual([])
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
    })

    it('does not interleave a concurrent statement into an open transaction', async () => {
      const order: string[] = []
      const inTx = db.tx(async (tx) => {
        await tx.query('INSERT INTO contract_t VALUES (30, $1)', ['tx'])
        order.push('tx-insert')
        await tx.query('SELECT pg_sleep(0.05)')
        throw new Error('abort on purpose')
      }).catch(() => order.push('tx-rolled-back'))
      const outside = db.query('SELECT count(*)::int AS c FROM contract_t WHERE id = 30').then((r) => { order.push(`outside-saw-${(r[0] as { c: number }).c}`) })
      await Promise.all([inTx, outside])
      expect(order).not.toContain('outside-saw-1')
      expect(await db.query('SELECT id FROM contract_t WHERE id = 30')).toEqual([])
    })

    it('runs multi-statement SQL through exec', async () => {
      await db.exec("INSERT INTO contract_t VALUES (40, 'a'); INSERT INTO contract_t VALUES (41, 'b');")
      expect((await db.query('SELECT id FROM contract_t WHERE id IN (40, 41)')).length).toBe(2)
    })

    it('delivers NOTIFY payloads to listeners', async () => {
      const got: string[] = []
      const unlisten = await db.listen('contract_chan', (p) => got.push(p))
      await db.notify('contract_chan', 'hello')
      const deadline = Date.now() + 2000
      while (!got.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      await unlisten()
      expect(got).toEqual(['hello'])
    })
  })
}
