import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb } from '../test/db.ts'
import type { Db } from '../db/db.ts'
import { defaultEngineConfig } from '../cloud/model/serving.ts'
import { getDesired, insertDesiredIfMissing, recordExecutedChange, stampDelta, supersedeGroup } from './store.ts'
import { changedSince } from './spec.ts'

let db: Db
let drop: () => Promise<void>
let customerId: string
const at = new Date('2026-01-01T00:00:00Z')
const pools = [{ cloud: 'aws' as const, region: 'us-east-1', instanceType: 'p4d.24xlarge', pricing: 'on-demand' as const, count: 2 }]

beforeAll(async () => {
  ({ db, drop } = await freshDb())
  customerId = (await db.query<{ id: string }>("INSERT INTO customers (company_name) VALUES ('Desired Corp') RETURNING id"))[0]!.id
}, 60_000)
afterAll(async () => { await drop?.() })

async function insertRec(group: string, key: string): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO recommendations (customer_id, deployment_id, type, agent_type, title, risk_level, risk_reasons, estimated_savings_micros, confidence,
       predicted, evidence, plan, dedupe_key, evidence_at, created_at, updated_at)
     VALUES ($1, 'd1', 'spot_migration', 'cost', 't', 'low', '[]', 1000000, 0.9, '{}', '{}', '{}', $2, $3, $3, $3) RETURNING id`, [customerId, key, at])
  await stampDelta(db, rows[0]!.id, { baseGeneration: 1, touches: ['pools'], exclusiveGroup: group })
  return rows[0]!.id
}

describe('desired state store', () => {
  it('creates generation 1 once, then every executed change increments it and stamps the fields it changed', async () => {
    const first = await insertDesiredIfMissing(db, customerId, 'd1', { pools, engine: defaultEngineConfig, slo: null }, at)
    expect(first.generation).toBe(1)
    const again = await insertDesiredIfMissing(db, customerId, 'd1', { pools: [], engine: defaultEngineConfig, slo: null }, at)
    expect(again.spec.pools).toEqual(pools)
    const spot = [{ ...pools[0]!, pricing: 'spot' as const }]
    const g2 = await db.tx((tx) => recordExecutedChange(tx, { customerId, deploymentId: 'd1', plan: { deploymentId: 'd1', pools: spot, config: defaultEngineConfig, summary: 'spot' }, touches: ['pools'], optimizationId: 'o1', recommendationId: null, at }))
    const fp8 = { ...defaultEngineConfig, quantization: 'fp8' as const }
    const g3 = await db.tx((tx) => recordExecutedChange(tx, { customerId, deploymentId: 'd1', plan: { deploymentId: 'd1', pools: spot, config: fp8, summary: 'fp8' }, touches: ['engine.quantization'], optimizationId: 'o2', recommendationId: null, at }))
    expect([g2.generation, g3.generation]).toEqual([2, 3])
    const now = (await getDesired(db, customerId, 'd1'))!
    expect(now.spec).toMatchObject({ pools: spot, engine: fp8 })
    expect(now.fieldGenerations).toEqual({ pools: 2, 'engine.quantization': 3 })
    expect(now.lastChange).toMatchObject({ generation: 3, optimization_id: 'o2', touches: ['engine.quantization'] })
    expect(changedSince(now, 1, ['engine.kvCacheDtype'])).toEqual([])
    expect(changedSince(now, 2, ['pools', 'engine.quantization'])).toEqual(['engine.quantization'])
  })
  it('supersedes the other pending alternatives of a group, not other groups', async () => {
    const [a, b, c] = [await insertRec('d1:pools', 'k-a'), await insertRec('d1:pools', 'k-b'), await insertRec('d1:engine.quantization', 'k-c')]
    expect(await supersedeGroup(db, customerId, 'd1:pools', a, 'u', 'why', at)).toEqual([b])
    const rows = await db.query<{ id: string; status: string; reject_reason: string | null }>('SELECT id, status, reject_reason FROM recommendations WHERE id = ANY($1::uuid[])', [[a, b, c]])
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [a]: 'pending', [b]: 'superseded', [c]: 'pending' })
    expect(rows.find((r) => r.id === b)!.reject_reason).toBe('why')
  })
})
