import { describe, expect, it } from 'vitest'
import { decideBake, DEFAULT_BAKE, keepAccumulating, rolloutStepsFor, thresholdsFor, poolsOfInstances } from './rollout.ts'
import type { Assessment } from './analysis.ts'
import type { PairedVerdict } from '../quality/paired.ts'
import type { GateLook } from '../gates/gate.ts'

const slo = (phase: Assessment['phase']): Assessment => ({ phase, metrics: [], message: phase })
const q = (verdict: PairedVerdict['verdict']): PairedVerdict => ({ verdict, n: 60, stable_accuracy: 0.9, canary_accuracy: 0.9, drop: 0, drop_upper: 0.03, p_value: 1, discordant: 0, reason: verdict })

describe('rollout plans', () => {
  it('uses the seed names for spot migration and the analogous names for other changes', () => {
    expect(rolloutStepsFor('spot_migration').map((s) => s.name)).toEqual(['create_spot_instances', 'deploy_canary', 'validate_canary', 'scale_to_50_percent', 'validate_50_percent', 'full_migration', 'terminate_ondemand'])
    expect(rolloutStepsFor('quantization').map((s) => s.name)).toEqual(['create_canary_instances', 'deploy_canary', 'validate_canary', 'scale_to_50_percent', 'validate_50_percent', 'full_rollout', 'retire_old_instances'])
    expect(rolloutStepsFor('kv_cache_tuning').filter((s) => s.weight).map((s) => s.weight)).toEqual([10, 10, 50, 50, 100])
  })
  it('groups instances into pools by cloud, region, type and pricing', () => {
    const i = (instanceType: string, pricing: 'spot' | 'on-demand') => ({ cloud: 'aws' as const, region: 'us-east-1', instanceType, pricing })
    expect(poolsOfInstances([i('a', 'spot'), i('a', 'spot'), i('a', 'on-demand'), i('b', 'spot')]).map((p) => `${p.instanceType}/${p.pricing}×${p.count}`)).toEqual(['a/spot×2', 'a/on-demand×1', 'b/spot×1'])
  })
})

describe('thresholds', () => {
  it('come from the deployment SLO, defaulting to the seeds’ limits', () => {
    const t = thresholdsFor(null)
    expect([t.p95.limit, t.p99.limit, t.errors.limit, t.maxQualityDrop]).toEqual([1000, 1500, 0.001, 0.05])
    expect(thresholdsFor({ p95Ms: 2100, p99Ms: 3200, maxErrorRate: 0.002 }).p95.limit).toBe(2100)
  })
  it('are tightened, never loosened, by customer preferences', () => {
    const t = thresholdsFor({ p95Ms: 2100, p99Ms: 3200, maxErrorRate: 0.002 }, { latency_slo_p95_ms: 900, latency_slo_p99_ms: 5000, max_error_rate: 0.0005 })
    expect([t.p95.limit, t.p99.limit, t.errors.limit]).toEqual([900, 3200, 0.0005])
  })
})

describe('bake decisions (Argo: successful → continue, failed → abort, inconclusive → extend, then pause)', () => {
  const cfg = { maxExtensions: 2 }
  it('continues while the window runs', () => expect(decideBake(slo('running'), q('inconclusive'), 0, cfg).kind).toBe('continue'))
  it('advances when SLO and quality both pass', () => expect(decideBake(slo('successful'), q('pass'), 0, cfg).kind).toBe('advance'))
  it('aborts at once on an SLO failure or error, even mid-window', () => {
    expect(decideBake(slo('failed'), q('pass'), 0, cfg).kind).toBe('abort')
    expect(decideBake(slo('error'), null, 0, cfg).kind).toBe('abort')
  })
  it('aborts when a deciding anytime-valid gate fails, even while the SLO window runs, and ignores its other verdicts', () => {
    const gate = (verdict: GateLook['verdict']): GateLook => ({ gate: 'error_rate', method: 'mixture SPRT', n: 600, estimate: 0.05, lower: null, upper: null, threshold: 0.001, alpha: 0.05, verdict, reason: 'e-value 1e6', needs: 3000 })
    expect(decideBake(slo('running'), q('inconclusive'), 0, cfg, [gate('failed')])).toMatchObject({ kind: 'abort', reason: 'anytime-valid gate failed: e-value 1e6' })
    expect(decideBake(slo('running'), q('inconclusive'), 0, cfg, [gate('inconclusive')]).kind).toBe('continue')
    expect(decideBake(slo('successful'), q('pass'), 0, cfg, [gate('successful')]).kind).toBe('advance')
  })
  it('pauses for a human when a deciding gate reached its record\'s maximum of samples still inconclusive', () => {
    const look: GateLook = { gate: 'error_rate', method: 'mixture SPRT', n: 500, estimate: 0, lower: null, upper: null, threshold: 0.001, alpha: 0.05, verdict: 'inconclusive', reason: 'error_rate: only 500 canary requests; reached the maximum of 500 requests, a human decides', needs: 3000, exhausted: true }
    expect(decideBake(slo('running'), q('inconclusive'), 0, cfg, [look])).toMatchObject({ kind: 'pause', reason: expect.stringMatching(/maximum of 500 requests/) })
  })
  it('aborts on a quality regression, even while the SLO window runs', () => expect(decideBake(slo('running'), q('fail'), 0, cfg)).toMatchObject({ kind: 'abort', reason: expect.stringMatching(/quality regression/) }))
  it('extends an inconclusive bake, then pauses for a human', () => {
    expect(decideBake(slo('successful'), q('inconclusive'), 0, cfg).kind).toBe('extend')
    expect(decideBake(slo('inconclusive'), q('pass'), 1, cfg).kind).toBe('extend')
    expect(decideBake(slo('inconclusive'), q('pass'), 2, cfg)).toMatchObject({ kind: 'pause', reason: expect.stringMatching(/^inconclusive: SLO/) })
  })
  it('bakes five one-minute intervals by default', () => expect(DEFAULT_BAKE.intervalMs * DEFAULT_BAKE.limits.count).toBe(300_000))
})

describe('low-traffic canaries (an interval stretches until it carries enough requests)', () => {
  const minute = { intervalMs: 60_000 }
  it('keeps accumulating an interval below the minimum requests', () => expect(keepAccumulating(36, 50, 60_000, minute)).toBe(true))
  it('measures as soon as the interval carries the minimum', () => expect(keepAccumulating(72, 50, 120_000, minute)).toBe(false))
  it('stops stretching at maxStretch intervals, so a canary without traffic still ends inconclusive', () => {
    expect(keepAccumulating(3, 50, 600_000, minute)).toBe(false)
    expect(keepAccumulating(3, 50, 540_000, minute)).toBe(true)
    expect(keepAccumulating(3, 50, 120_000, { ...minute, maxStretch: 2 })).toBe(false)
  })
})
