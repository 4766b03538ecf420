import { describe, expect, it } from 'vitest'
import { defaultEngineConfig } from '../cloud/model/serving.ts'
import { detectConflicts, negotiateHybrid, preferenceViolation, resolveConflicts, type ConflictRec } from './conflict.ts'
import { configPatch, rebasePlan } from '../rollouts/rollout.ts'

const pool = (pricing: 'spot' | 'on-demand', count = 2) => ({ cloud: 'aws' as const, region: 'us-east-1', instanceType: 'p4d.24xlarge', pricing, count })
function rec(id: string, over: Partial<ConflictRec> = {}): ConflictRec {
  return {
    id, type: 'spot_migration', agentType: 'cost', deploymentId: 'vllm-prod-1', riskLevel: 'medium', estimatedSavingsUsd: 21_000, confidence: 0.8,
    predicted: { monthlyCostUsdBefore: 32_000, monthlyCostUsdAfter: 11_000 },
    plan: { deploymentId: 'vllm-prod-1', pools: [pool('spot')], config: defaultEngineConfig, summary: 'on-demand → spot' }, ...over,
  }
}
const spot = rec('a-spot')
const kv = rec('b-kv', { type: 'kv_cache_tuning', agentType: 'performance', riskLevel: 'low', estimatedSavingsUsd: 0, plan: { deploymentId: 'vllm-prod-1', pools: [pool('on-demand')], config: { ...defaultEngineConfig, kvCacheDtype: 'fp8' }, summary: 'FP8 KV cache' } })

describe('conflict detection', () => {
  it('flags recommendations that change the same deployment, with both intents', () => {
    const [c] = detectConflicts([spot, kv])
    expect(c).toMatchObject({ recommendation_ids: ['a-spot', 'b-kv'], resource: 'deployment vllm-prod-1', intents: ['pricing (cost)', 'engine_config (performance)'] })
  })
  it('runs changes to different deployments in parallel', () => {
    const other = rec('c', { deploymentId: 'vllm-prod-2', plan: { ...spot.plan, deploymentId: 'vllm-prod-2' } })
    const r = resolveConflicts([spot, other], {})
    expect(r).toMatchObject({ conflict_detected: false, strategy: 'parallel_execution' })
  })
})

describe('resolution priorities (Customer > Performance > Cost)', () => {
  it('negotiates a hybrid: on-demand floor + spot, with the performance configuration', () => {
    const r = resolveConflicts([spot, kv], {})
    expect(r.strategy).toBe('negotiate_hybrid')
    const h = r.hybrid_solution!
    expect(h.plan.pools).toEqual([pool('on-demand', 1), pool('spot', 1)])
    expect(h.plan.config.kvCacheDtype).toBe('fp8')
    expect(h.estimated_savings).toBeCloseTo(10_500, 2)
    expect(r.superseded.sort()).toEqual(['a-spot', 'b-kv'])
  })
  it('puts a customer preference first: never spot on this deployment', () => {
    const r = resolveConflicts([spot, kv], { never_spot_deployments: ['vllm-prod-1'] })
    expect(r).toMatchObject({ strategy: 'prioritize_customer', chosen_recommendation: 'b-kv', superseded: ['a-spot'] })
    expect(preferenceViolation(spot, { risk_tolerance: 'low' })).toMatch(/medium risk exceeds/)
  })
  it("follows the customer's stated priority", () => {
    expect(resolveConflicts([spot, kv], { priority: 'cost' })).toMatchObject({ strategy: 'prioritize_customer', chosen_recommendation: 'a-spot' })
  })
  it('runs unmergeable changes sequentially, performance first', () => {
    const batching = rec('c-batch', { type: 'batching_tuning', agentType: 'performance', estimatedSavingsUsd: 0, plan: { ...kv.plan, config: { ...defaultEngineConfig, maxNumSeqs: 128 } } })
    const r = resolveConflicts([kv, batching], {})
    expect(r.strategy).toBe('sequential_execution')
    expect(r.execution_order).toHaveLength(2)
    const single = rec('d', { plan: { ...spot.plan, pools: [pool('spot', 1)] } })
    expect(negotiateHybrid(single, kv)).toBeNull()
    expect(resolveConflicts([single, kv], {}).execution_order).toEqual(['b-kv', 'd'])
  })
})

describe('rebasing a queued plan', () => {
  it('applies only what the plan changed on top of the current configuration', () => {
    const base = defaultEngineConfig
    const current = { ...base, kvCacheDtype: 'fp8' as const }
    expect(configPatch({ ...base, maxNumSeqs: 128 }, base)).toEqual({ maxNumSeqs: 128 })
    const rebased = rebasePlan({ deploymentId: 'd', pools: [pool('on-demand')], config: { ...base, maxNumSeqs: 128 }, summary: 's' }, 'batching_tuning', { config: current, pools: [pool('spot')] }, base)
    expect(rebased.config).toMatchObject({ kvCacheDtype: 'fp8', maxNumSeqs: 128 })
    expect(rebased.pools).toEqual([pool('spot')])
    const pools = rebasePlan(spot.plan, 'spot_migration', { config: current, pools: [pool('on-demand')] }, base)
    expect(pools).toMatchObject({ pools: [pool('spot')], config: { kvCacheDtype: 'fp8' } })
  })
})

describe('alternatives in a sequential resolution', () => {
  it('never executes two alternatives of one group: the lower-priority one is dropped and superseded', () => {
    const rightsize = rec('r-size', { type: 'instance_rightsizing', agentType: 'resource', estimatedSavingsUsd: 30_000, exclusiveGroup: 'vllm-prod-1:pools', plan: { ...spot.plan, pools: [pool('on-demand', 1)], summary: 'right-size' } })
    const spotAlt = rec('s-spot', { exclusiveGroup: 'vllm-prod-1:pools' })
    const batching = rec('t-batch', { type: 'batching_tuning', agentType: 'performance', estimatedSavingsUsd: 0, exclusiveGroup: 'vllm-prod-1:engine.maxNumSeqs', plan: { ...kv.plan, pools: [pool('on-demand', 3)], config: { ...defaultEngineConfig, maxNumSeqs: 512 } } })
    const r = resolveConflicts([spotAlt, rightsize, batching], {})
    expect(r.strategy).toBe('sequential_execution')
    expect(r.execution_order).toEqual(['t-batch', 'r-size'])
    expect(r.superseded).toEqual(['s-spot'])
    expect(r.rationale).toMatch(/s-spot dropped/)
  })
})
