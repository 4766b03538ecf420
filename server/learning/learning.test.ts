import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb } from '../test/db.ts'
import type { Db } from '../db/db.ts'
import { defaultEngineConfig } from '../cloud/model/serving.ts'
import { adjustByOutcomes, distance, FEATURE_DIM, featuresOf, type FeatureInput, type SimilarOutcome } from './features.ts'
import { getOutcome, similarOutcomes, storeOutcome, vectorBackend } from './store.ts'

const pool = (pricing: 'spot' | 'on-demand', count: number) => ({ cloud: 'aws' as const, region: 'us-east-1', instanceType: 'p4d.24xlarge', pricing, count })
const spotInput: FeatureInput = { type: 'spot_migration', riskLevel: 'medium', confidence: 0.8, estimatedSavingsUsd: 21_000, predicted: { monthlyCostUsdBefore: 32_000, monthlyCostUsdAfter: 11_000 }, plan: { pools: [pool('spot', 2)], config: defaultEngineConfig } }
const fp8Input: FeatureInput = { type: 'quantization', riskLevel: 'low', confidence: 0.7, estimatedSavingsUsd: 0, predicted: { monthlyCostUsdBefore: 32_000, monthlyCostUsdAfter: 32_000 }, plan: { pools: [pool('on-demand', 2)], config: { ...defaultEngineConfig, quantization: 'fp8' } } }

describe('feature vectors', () => {
  it('have a fixed dimension, components in [0, 1], and put like changes close', () => {
    const a = featuresOf(spotInput)
    const b = featuresOf({ ...spotInput, estimatedSavingsUsd: 19_000, confidence: 0.75 })
    const c = featuresOf(fp8Input)
    expect(a).toHaveLength(FEATURE_DIM)
    expect(a.every((x) => x >= 0 && x <= 1)).toBe(true)
    expect(distance(a, b)).toBeLessThan(distance(a, c))
    expect(a.slice(0, 4)).toEqual([1, 0, 0, 0])
    expect(a[8]).toBe(1)
  })
})

describe('confidence and risk adjustment from similar outcomes', () => {
  const o = (success: boolean, accuracy: number | null): SimilarOutcome => ({
    optimization_id: null, recommendation_type: 'spot_migration', success, status: success ? 'completed' : 'rolled_back', predicted_savings: 100,
    actual_savings: accuracy === null ? null : accuracy * 100, prediction_accuracy: accuracy, quality_delta: 0, rollback_reason: null, distance: 0, similarity: 1, same_customer: true,
  })
  it('keeps the agent’s numbers without neighbours', () => {
    expect(adjustByOutcomes(0.7, 'low', [])).toMatchObject({ confidence: 0.7, risk_level: 'low', success_rate: null })
  })
  it('raises confidence when similar changes succeeded and delivered their savings', () => {
    const a = adjustByOutcomes(0.6, 'medium', [o(true, 1), o(true, 0.98), o(true, 1.02)])
    expect(a.confidence).toBeGreaterThan(0.6)
    expect(a.risk_level).toBe('medium')
  })
  it('lowers confidence and raises risk when similar changes were rolled back', () => {
    const a = adjustByOutcomes(0.8, 'low', [o(false, null), o(false, null), o(true, 0.5)])
    expect(a.confidence).toBeLessThan(0.5)
    expect(a.risk_level).toBe('medium')
    expect(a.reasons.join(' ')).toMatch(/rolled back/)
  })
})

describe('learning memory store', () => {
  let db: Db
  let drop: () => Promise<void>
  let customerId: string
  let other: string
  beforeAll(async () => {
    ;({ db, drop } = await freshDb())
    customerId = (await db.query<{ id: string }>("INSERT INTO customers (company_name) VALUES ('L') RETURNING id"))[0]!.id
    other = (await db.query<{ id: string }>("INSERT INTO customers (company_name) VALUES ('M') RETURNING id"))[0]!.id
  })
  afterAll(async () => { await db.close(); await drop() })

  async function run(cust: string): Promise<string> {
    const [r] = await db.query<{ id: string }>(
      `INSERT INTO workflow_runs (kind, customer_id, next_run_at, created_by, created_at, updated_at) VALUES ('optimization', $1, now(), 't', now(), now()) RETURNING id`, [cust])
    return r!.id
  }

  it('uses pgvector where the store has it (PGlite) and the portable search elsewhere (PostgreSQL 15)', async () => {
    expect(await vectorBackend(db)).toBe(db.kind === 'pglite' ? 'pgvector' : 'portable')
  })

  it('stores an outcome once and finds the nearest ones, anonymizing other tenants', async () => {
    const at = new Date('2026-01-01T00:00:00Z')
    const mk = async (cust: string, input: FeatureInput, success: boolean) => {
      const id = await run(cust)
      const first = await storeOutcome(db, { optimizationId: id, customerId: cust, recommendationId: null, recommendationType: input.type, deploymentId: 'd', success, status: success ? 'completed' : 'rolled_back', predictedSavingsUsd: input.estimatedSavingsUsd, actualSavingsUsd: success ? input.estimatedSavingsUsd * 0.97 : 0, qualityDelta: success ? 0 : -0.1, rollbackReason: success ? null : 'quality regression on deployment d', features: featuresOf(input), at })
      const again = await storeOutcome(db, { ...{ optimizationId: id, customerId: cust, recommendationId: null, recommendationType: input.type, deploymentId: 'd', success: !success, status: 'x', predictedSavingsUsd: 1, actualSavingsUsd: 1, qualityDelta: null, rollbackReason: null, features: featuresOf(input), at } })
      expect(again.id).toBe(first.id)
      expect(again.success).toBe(success)
      return id
    }
    const mine = await mk(customerId, spotInput, true)
    await mk(customerId, fp8Input, true)
    await mk(other, { ...spotInput, confidence: 0.78 }, false)
    expect(await getOutcome(db, mine)).toMatchObject({ storedInVectorDb: true, features: featuresOf(spotInput) })
    const near = await similarOutcomes(db, featuresOf(spotInput), 2, { customerId })
    expect(near.map((n) => n.recommendation_type)).toEqual(['spot_migration', 'spot_migration'])
    expect(near[0]).toMatchObject({ same_customer: true, optimization_id: mine, distance: 0, similarity: 1 })
    expect(near[1]).toMatchObject({ same_customer: false, optimization_id: null, rollback_reason: 'rolled back' })
    expect(near[0]!.prediction_accuracy).toBeCloseTo(0.97, 3)
    expect((await similarOutcomes(db, featuresOf(spotInput), 5, { customerId, excludeOptimizationId: mine })).some((n) => n.optimization_id === mine)).toBe(false)
  })

  it('refuses a vector of the wrong dimension (a bug, not data)', async () => {
    await expect(storeOutcome(db, { optimizationId: await run(customerId), customerId, recommendationId: null, recommendationType: 'spot_migration', deploymentId: null, success: true, status: 'completed', predictedSavingsUsd: 1, actualSavingsUsd: 1, qualityDelta: null, rollbackReason: null, features: [1, 2], at: new Date() })).rejects.toThrow(/12 components/)
  })
})
