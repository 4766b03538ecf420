import { describe, expect, it } from 'vitest'
import type { FleetDeployment, FleetInstance, PriceQuote } from '../cloud/provider.ts'
import { decide, isDown, poolsOf, spotCandidates, targetMix, type IntendedPool, type Observation } from './drift.ts'
import { reapply } from './intended.ts'

const inst = (id: string, o: Partial<FleetInstance> = {}): FleetInstance => ({
  id, customerId: 'c', cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', gpuType: 'A10G', gpuCount: 1, pricing: 'spot', state: 'running',
  deploymentId: 'd', group: 'stable', launchedAt: '2026-01-01T00:00:00.000Z', terminatedAt: null, hourlyUsd: 0.5, interruptionAt: null, ...o,
})
const dep = (ids: string[], canary = false): FleetDeployment => ({
  id: 'd', customerId: 'c', name: 'd', cloud: 'aws', region: 'us-east-1', model: {} as FleetDeployment['model'], traffic: {} as FleetDeployment['traffic'],
  latencyCritical: true, slo: { p95Ms: 1000, p99Ms: 1500, maxErrorRate: 0.001, minQuality: 0.95 }, stable: { instanceIds: ids, config: {} as FleetDeployment['stable']['config'] },
  canary: canary ? { instanceIds: ['x'], config: {} as FleetDeployment['stable']['config'], weight: 10 } : null,
  endpoints: { vllmMetrics: { stable: '', canary: null }, chat: { stable: '', canary: null, router: '' }, dcgmMetrics: [] },
})
const quote = (instanceType: string, spotHourlyUsd?: number, gpuType = 'A10G'): PriceQuote => ({
  cloud: 'aws', region: 'us-east-1', instanceType, gpuType, gpuCount: 1, onDemandHourlyUsd: 1, ...(spotHourlyUsd === undefined ? {} : { spotHourlyUsd }),
})
const quotes = [quote('g5.xlarge', 0.4), quote('g5.2xlarge', 0.5), quote('g5.4xlarge', 0.45), quote('g6.xlarge', 0.3, 'L4'), quote('g5.8xlarge')]
const threeSpot: IntendedPool[] = [{ cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', pricing: 'spot', count: 3 }]
const obs = (instances: FleetInstance[], o: Partial<Observation> = {}): Observation => ({
  deployment: dep(instances.map((i) => i.id)), instances, pools: threeSpot, floor: 1, keepFloor: true, quotes, spotRetryDue: true, ...o,
})
const noticed = { interruptionAt: '2026-01-01T00:02:00.000Z' }

describe('reconciler drift rules', () => {
  it('does nothing when observed equals intended, and nothing while a rollout owns the deployment', () => {
    const fleet = [inst('od', { pricing: 'on-demand' }), inst('s1'), inst('s2')]
    expect(decide(obs(fleet))).toBeNull()
    expect(decide({ ...obs([inst('s1')]), deployment: dep(['s1'], true) })).toBeNull()
  })

  it('keeps the on-demand floor of a spot deployment: launch on-demand first, then retire the newest spot surplus', () => {
    expect(decide(obs([inst('s1'), inst('s2'), inst('s3')]))).toMatchObject({ kind: 'floor', count: 1, candidates: [{ instanceType: 'g5.xlarge', pricing: 'on-demand' }] })
    expect(decide(obs([inst('s1'), inst('s2'), inst('s3'), inst('od', { pricing: 'on-demand', state: 'pending' })]))).toBeNull() // still booting
    const plan = decide(obs([inst('s1'), inst('s2'), inst('s3', { launchedAt: '2026-01-02T00:00:00.000Z' }), inst('od', { pricing: 'on-demand' })]))
    expect(plan).toMatchObject({ kind: 'retire', instanceIds: ['s3'] })
  })

  it('by default leaves a healthy all-spot fleet as the approved change made it, and lets the floor steer only replacements', () => {
    const spotOnly = (xs: FleetInstance[]) => ({ ...obs(xs), keepFloor: false })
    expect(decide(spotOnly([inst('s1'), inst('s2'), inst('s3')]))).toBeNull()
    expect(decide(spotOnly([inst('s1'), inst('s2', noticed), inst('s3', noticed)]))).toMatchObject({ kind: 'replace', count: 1, candidates: [{ pricing: 'on-demand' }] })
    // the on-demand stand-in goes back to spot once it is no longer needed for lost capacity
    expect(decide(spotOnly([inst('s1'), inst('s2'), inst('od', { pricing: 'on-demand' })]))).toMatchObject({ kind: 'return_to_spot', count: 1 })
  })

  it('replaces capacity under notice at once with spot from another pool, cheapest first, on-demand last', () => {
    const plan = decide(obs([inst('od', { pricing: 'on-demand' }), inst('s1', noticed), inst('s2', noticed)]))
    expect(plan).toMatchObject({ kind: 'replace', count: 2, reason: expect.stringMatching(/2 instance\(s\) under interruption notice: 1 of 3/) })
    if (plan?.kind !== 'replace') throw new Error('expected a replacement')
    expect(plan.candidates.map((c) => `${c.instanceType}/${c.pricing}`)).toEqual(['g5.4xlarge/spot', 'g5.2xlarge/spot', 'g5.xlarge/spot', 'g5.xlarge/on-demand'])
  })

  it('restores the floor first when the on-demand instance itself is lost', () => {
    const plan = decide(obs([inst('od', { pricing: 'on-demand', state: 'terminated' }), inst('s1'), inst('s2')]))
    expect(plan).toMatchObject({ kind: 'replace', count: 1, candidates: [{ pricing: 'on-demand' }], reason: expect.stringMatching(/on-demand floor 1/) })
  })

  it('replaces an on-demand deployment on-demand, and counts it down only when nothing serves', () => {
    const pools: IntendedPool[] = [{ cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', pricing: 'on-demand', count: 2 }]
    const fleet = [inst('a', { pricing: 'on-demand' }), inst('b', { pricing: 'on-demand', state: 'terminated' })]
    expect(decide(obs(fleet, { pools }))).toMatchObject({ kind: 'replace', count: 1, candidates: [{ pricing: 'on-demand' }] })
    expect(isDown(dep(['a', 'b']), fleet)).toBe(false)
    expect(isDown(dep(['a', 'b']), [inst('a', { state: 'terminated' }), fleet[1]!])).toBe(true)
    expect(isDown(dep(['a']), [inst('a', noticed)])).toBe(false) // under notice it still serves
  })

  it('returns stand-ins to spot when due, then retires the on-demand surplus', () => {
    const standIns = [inst('od', { pricing: 'on-demand' }), inst('o2', { pricing: 'on-demand' }), inst('o3', { pricing: 'on-demand' })]
    expect(decide(obs(standIns))).toMatchObject({ kind: 'return_to_spot', count: 2, candidates: [{ instanceType: 'g5.xlarge', pricing: 'spot' }, { pricing: 'spot' }, { pricing: 'spot' }] })
    expect(decide(obs(standIns, { spotRetryDue: false }))).toBeNull()
    const back = [...standIns, inst('s1', { launchedAt: '2026-01-02T00:00:00.000Z' }), inst('s2', { launchedAt: '2026-01-02T00:00:00.000Z' })]
    expect(decide(obs(back))).toMatchObject({ kind: 'retire', instanceIds: ['o2', 'o3'] })
  })

  it('splits the mix by floor and finds spot pools of the same GPU', () => {
    expect(targetMix(threeSpot, 1)).toEqual({ onDemand: 1, spot: 2 })
    expect(targetMix(threeSpot, 5)).toEqual({ onDemand: 3, spot: 0 })
    expect(targetMix([{ ...threeSpot[0]!, pricing: 'on-demand' }], 1)).toEqual({ onDemand: 3, spot: 0 })
    expect(spotCandidates(threeSpot, quotes, new Set()).map((c) => c.instanceType)).toEqual(['g5.xlarge', 'g5.4xlarge', 'g5.2xlarge'])
    expect(poolsOf([inst('a'), inst('b'), inst('c', { pricing: 'on-demand' })])).toEqual([
      { cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', pricing: 'spot', count: 2 },
      { cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', pricing: 'on-demand', count: 1 },
    ])
  })
})

describe('last-applied intended capacity', () => {
  it('takes the first observed group, keeps it while members are only lost, and re-applies when the platform put new members in', () => {
    const first = reapply(null, dep(['a', 'b']), [inst('a'), inst('b')])
    expect(first).toMatchObject({ changed: true, applied: { memberIds: ['a', 'b'], pools: [{ pricing: 'spot', count: 2 }] } })
    const lost = reapply(first.applied, dep(['a', 'b']), [inst('a'), inst('b', { state: 'terminated' })])
    expect(lost).toEqual({ applied: first.applied, changed: false })
    const promoted = reapply(first.applied, dep(['n1', 'n2', 'n3']), [inst('n1', { pricing: 'on-demand' }), inst('n2', { pricing: 'on-demand' }), inst('n3', { pricing: 'on-demand' })])
    expect(promoted).toMatchObject({ changed: true, applied: { memberIds: ['n1', 'n2', 'n3'], pools: [{ pricing: 'on-demand', count: 3 }] } })
    expect(reapply(first.applied, dep(['n1'], true), [inst('n1')])).toEqual({ applied: first.applied, changed: false }) // a rollout owns it
    expect(reapply(first.applied, dep([]), [])).toEqual({ applied: first.applied, changed: false }) // all lost: still intended
  })
})
