import { describe, expect, it } from 'vitest'
import { defaultEngineConfig } from '../cloud/model/serving.ts'
import type { ChangePlan } from '../recommendations/recommendation.ts'
import {
  applyChange, changedSince, fallbackGroup, constraintViolation, constraintsFor, exclusiveGroupOf, overlaps, reapprovalReason, rebaseOnto, riskAfterRebase, touchesOf, type DesiredSpec,
} from './spec.ts'

const pool = (pricing: 'spot' | 'on-demand', count = 2, instanceType = 'p4d.24xlarge', cloud: 'aws' | 'gcp' = 'aws') => ({ cloud, region: cloud === 'aws' ? 'us-east-1' : 'us-central1', instanceType, pricing, count })
const spec: DesiredSpec = { pools: [pool('on-demand')], engine: defaultEngineConfig, slo: null }
const plan = (over: Partial<ChangePlan>): ChangePlan => ({ deploymentId: 'd1', pools: spec.pools, config: defaultEngineConfig, summary: 's', ...over })
const fp8 = plan({ config: { ...defaultEngineConfig, quantization: 'fp8' }, summary: 'FP8' })
const toSpot = plan({ pools: [pool('spot')], summary: 'spot' })

describe('deltas', () => {
  it('names the fields a plan changes against the spec it was computed on', () => {
    expect(touchesOf(toSpot, 'spot_migration', spec)).toEqual(['pools'])
    expect(touchesOf(fp8, 'quantization', spec)).toEqual(['engine.quantization'])
    // a configuration type never touches pools, even when planned on pools that have since changed
    expect(touchesOf({ ...fp8, pools: [pool('spot')] }, 'quantization', spec)).toEqual(['engine.quantization'])
    // without a spec: the type's lever
    expect(touchesOf(fp8, 'quantization', null)).toEqual(['engine'])
    expect(touchesOf(toSpot, 'instance_rightsizing', null)).toEqual(['pools'])
  })
  it('overlaps a field with its parts, and finds only later changes of touched fields', () => {
    expect(overlaps('engine', 'engine.quantization')).toBe(true)
    expect(overlaps('engine.quantization', 'engine.kvCacheDtype')).toBe(false)
    const state = { fieldGenerations: { pools: 2, 'engine.quantization': 4 } }
    expect(changedSince(state, 1, ['engine.kvCacheDtype'])).toEqual([])
    expect(changedSince(state, 1, ['pools', 'engine.kvCacheDtype'])).toEqual(['pools'])
    expect(changedSince(state, 2, ['pools'])).toEqual([])
    expect(changedSince(state, 3, ['engine'])).toEqual(['engine.quantization'])
  })
  it('groups every capacity change of a deployment together, configuration changes by knob', () => {
    expect(exclusiveGroupOf('d1', ['pools'])).toBe('d1:pools')
    expect(exclusiveGroupOf('d1', ['pools', 'engine.tensorParallelSize'])).toBe('d1:pools')
    expect(exclusiveGroupOf('d1', ['engine.quantization'])).toBe('d1:engine.quantization')
    expect(exclusiveGroupOf('d1', [])).toBeNull()
    // fields not known yet (no desired state when stored): the type's lever
    expect(fallbackGroup('d1', 'spot_migration')).toBe('d1:pools')
    expect(fallbackGroup('d1', 'batching_tuning')).toBe('d1:engine:batching_tuning')
  })
  it('rebases a configuration delta onto pools a later change moved, keeping the later knobs', () => {
    const current: DesiredSpec = { ...spec, pools: [pool('on-demand', 2, 'p5.48xlarge')], engine: { ...defaultEngineConfig, kvCacheDtype: 'fp8' } }
    const r = rebaseOnto(fp8, ['engine.quantization'], current)
    expect(r.pools).toEqual(current.pools)
    expect(r.config).toEqual({ ...defaultEngineConfig, kvCacheDtype: 'fp8', quantization: 'fp8' })
    // a capacity delta keeps its own pools and takes the current engine
    expect(rebaseOnto(toSpot, ['pools'], current)).toMatchObject({ pools: toSpot.pools, config: current.engine })
  })
  it('applies a change as the new spec', () => {
    expect(applyChange(spec, fp8)).toEqual({ ...spec, engine: fp8.config })
  })
})

describe('constraints', () => {
  const gpuOf = (_c: string, t: string) => (t.startsWith('p4d') ? 'A100' : t.startsWith('g6e') ? 'L40S' : undefined)
  it('merges the never-spot list with per-deployment constraints', () => {
    expect(constraintsFor({ never_spot_deployments: ['d1'], deployment_constraints: { d1: { cloud: 'aws' } } }, 'd1')).toEqual({ cloud: 'aws', never_spot: true })
    expect(constraintsFor({}, 'd1')).toEqual({})
  })
  it('refuses spot, another cloud, another GPU family, or a plan above the budget', () => {
    const i = { gpuOf, plannedMonthlyUsd: 50_000 }
    expect(constraintViolation(toSpot, { never_spot: true }, i)).toMatch(/never wants spot/)
    expect(constraintViolation(plan({ pools: [pool('on-demand', 2, 'a2-highgpu-8g', 'gcp')] }), { cloud: 'aws' }, i)).toMatch(/pinned to aws/)
    expect(constraintViolation(plan({ pools: [pool('on-demand', 2, 'g6e.xlarge')] }), { gpu_family: 'a100' }, i)).toMatch(/GPU family a100 .*L40S/)
    expect(constraintViolation(toSpot, { max_monthly_usd: 40_000 }, i)).toMatch(/above its budget ceiling/)
    expect(constraintViolation(toSpot, { gpu_family: 'A100', cloud: 'aws', max_monthly_usd: 60_000 }, i)).toBeNull()
  })
})

describe('re-approval', () => {
  it('asks again when savings move by more than 10% or risk rises', () => {
    expect(reapprovalReason({ savingsUsd: 1000, risk: 'low' }, { savingsUsd: 1090, risk: 'low' })).toBeNull()
    expect(reapprovalReason({ savingsUsd: 1000, risk: 'low' }, { savingsUsd: 880, risk: 'low' })).toMatch(/from 1000.00 to 880.00/)
    expect(reapprovalReason({ savingsUsd: 1000, risk: 'low' }, { savingsUsd: 1000, risk: 'medium' })).toMatch(/risk rose from low to medium/)
    expect(reapprovalReason({ savingsUsd: 1000, risk: 'medium' }, { savingsUsd: 1000, risk: 'low' })).toBeNull()
  })
  it('raises the risk of a rebased plan that now runs on spot', () => {
    expect(riskAfterRebase('low', fp8, { ...fp8, pools: [pool('spot')] })).toBe('medium')
    expect(riskAfterRebase('low', fp8, fp8)).toBe('low')
    expect(riskAfterRebase('high', fp8, { ...fp8, pools: [pool('spot')] })).toBe('high')
  })
})
