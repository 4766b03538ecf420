import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb } from '../test/db.ts'
import type { Db } from '../db/db.ts'
import { deploymentSeries, seriesByDeployment } from './metrics-store.ts'

let db: Db
let drop: () => Promise<void>
let customerId: string
const t0 = Date.parse('2026-01-01T00:00:00Z')

beforeAll(async () => {
  ({ db, drop } = await freshDb())
  customerId = (await db.query<{ id: string }>("INSERT INTO customers (company_name) VALUES ('Series Corp') RETURNING id"))[0]!.id
  // two deployments over three hours, stable and canary groups, two samples per hour and group
  const rows: [string, string, number, number][] = []
  for (const [dep, base] of [['a', 10], ['b', 100]] as const) {
    for (let h = 0; h < 3; h++) {
      for (const [group, share] of [['stable', 1], ['canary', 0.1]] as const) {
        rows.push([dep, group, t0 + h * 3_600_000, base * share + h], [dep, group, t0 + h * 3_600_000 + 900_000, base * share + h + 2])
      }
    }
  }
  for (const [dep, group, ts, value] of rows) {
    await db.query(`INSERT INTO deployment_metrics (customer_id, deployment_id, "group", metric_type, ts, value) VALUES ($1, $2, $3, 'throughput_rps', $4, $5)`, [customerId, dep, group, new Date(ts), value])
  }
}, 60_000)
afterAll(async () => { await drop?.() })

describe('seriesByDeployment', () => {
  it('gives each deployment the series deploymentSeries gives it alone, in one read, and leaves out deployments without data', async () => {
    const window = { customerId, from: new Date(t0), to: new Date(t0 + 3 * 3_600_000), stepMs: 3_600_000 }
    const batched = await seriesByDeployment(db, 'throughput_rps', 'sum', window, ['a', 'b', 'none'])
    expect([...batched.keys()].sort()).toEqual(['a', 'b'])
    for (const id of ['a', 'b']) expect(batched.get(id)).toEqual(await deploymentSeries(db, 'throughput_rps', 'sum', { ...window, deploymentId: id }))
    // stable and canary add up per hour: a's first hour is mean(10, 12) + mean(1, 3)
    expect(batched.get('a')![0]).toEqual({ at: new Date(t0), value: 13 })
    expect(await seriesByDeployment(db, 'throughput_rps', 'sum', window, [])).toEqual(new Map())
  })
})
