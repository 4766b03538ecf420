import { describe, expect, it } from 'vitest'
import { PREFIX_HIT_EFFICIENCY, trafficRpsAt } from '../cloud/model/serving.ts'
import type { ObservedSignals } from './agent.ts'
import { predictGroup, shapesOf } from './fleet.ts'
import { deploymentState } from './state.ts'
import { buildContext } from './testing.ts'
import { EFFICIENCY_DEAD_BAND, fitEfficiency } from './workload.ts'
import { reportedP95 } from './reported.ts'

const spec = { id: 'chat', model: 'llama-3-8b' as const, instanceType: 'g6e.xlarge', count: 2, rps: 6 }

/** Signals as the fleet would show them: rates and the p95 the serving model gives at `efficiency`. */
function measured(rps: number, prompt: number, output: number, p95: number): ObservedSignals {
  return {
    samples: 30, throughputRps: rps, promptTokensPerSec: rps * prompt, generationTokensPerSec: rps * output, p95LatencyMs: p95,
    p99LatencyMs: p95 * 1.3, errorRate: 0, gpuUtilization: 0.6, kvCacheUsage: 0.3, queueDepth: 0, preemptionsPerSec: 0,
  } as ObservedSignals
}

describe('the agents learn a deployment from its telemetry', () => {
  it('recovers the rate, the request shape and a hidden GPU efficiency the registration does not tell', () => {
    const base = buildContext([spec])
    const registered = deploymentState(base, base.fleet.deployments[0]!)
    // the fleet really serves 8 rps of 400-token prompts and 60-token answers on GPUs at 80% of the spec sheet
    const truth = { ...registered.traffic, baseRps: 8, promptTokensMean: 400, outputTokensMean: 60, efficiency: 0.8 }
    // the p95 as Prometheus would report it from vLLM's buckets
    const p95 = reportedP95(predictGroup(registered.deployment.model, registered.deployment.stable.config, shapesOf(registered.pools), 8, truth))
    const ctx = buildContext([spec], { signals: { chat: measured(8, 400, 60, p95) } })
    const learned = deploymentState(ctx, ctx.fleet.deployments[0]!)
    expect(learned.rpsNow).toBeCloseTo(8, 6)
    expect(learned.traffic.promptTokensMean).toBeCloseTo(400, 6)
    expect(learned.traffic.outputTokensMean).toBeCloseTo(60, 6)
    expect(learned.traffic.efficiency).toBeCloseTo(0.8, 2)
    expect(reportedP95(learned.now)).toBeCloseTo(p95, -1)
    expect(learned.workload).toMatchObject({ rate: 'telemetry', request_shape: 'telemetry', efficiency: 'telemetry', registered: { rps_now: 6 } })
    // a faster change predicted on the learned picture: capacity shrinks with the GPUs' speed
    expect(learned.now.capacityRps).toBeLessThan(registered.now.capacityRps * 0.9)
  })

  it('keeps the spec sheet when the measured p95 is within the latency histogram\'s resolution of the model', () => {
    const at = (w: { efficiency: number }) => 1000 / w.efficiency
    const traffic = buildContext([spec]).fleet.deployments[0]!.traffic
    expect(fitEfficiency(at, traffic, 5, 1000 * (1 + EFFICIENCY_DEAD_BAND * 0.9))).toBe(1)
    expect(fitEfficiency(at, traffic, 5, null)).toBe(1)
    expect(fitEfficiency(at, traffic, 5, 1250)).toBeCloseTo(0.8, 3)
    // a measurement beyond what any GPU could do is bounded, not believed
    expect(fitEfficiency(at, traffic, 5, 100)).toBeCloseTo(2, 2)
  })

  it('keeps the registered rate and the spec sheet while a canary shares the traffic, and the shape where token rates are missing', () => {
    const ctx = buildContext([spec], { signals: { chat: { ...measured(3, 400, 60, 900), promptTokensPerSec: null } } })
    const dep = { ...ctx.fleet.deployments[0]!, canary: { instanceIds: [], config: ctx.fleet.deployments[0]!.stable.config, weight: 50 } }
    const s = deploymentState(ctx, dep)
    expect(s.rpsNow).toBeCloseTo(6, 6)
    expect(s.traffic.promptTokensMean).toBe(256)
    expect(s.traffic.efficiency).toBe(1)
    expect(s.workload).toMatchObject({ rate: 'registration', request_shape: 'registration', efficiency: 'spec sheet' })
  })

  it('learns the day\'s swing and peak hour from a day of hourly rates, and predicts the peak with them', () => {
    const now = '2026-03-02T12:00:00.000Z'
    const day = { ...buildContext([spec]).fleet.deployments[0]!.traffic, baseRps: 6, dailyAmplitude: 0.45, peakHourUtc: 9 }
    const daily = Array.from({ length: 24 }, (_, h) => {
      const at = new Date(Date.parse(now) - (24 - h) * 3_600_000)
      return { at: at.toISOString(), rps: trafficRpsAt(day, new Date(at.getTime() + 1_800_000)) }
    })
    const ctx = { ...buildContext([spec], { now }), daily: { chat: daily } }
    const s = deploymentState(ctx, ctx.fleet.deployments[0]!)
    expect(s.traffic.dailyAmplitude).toBeCloseTo(0.45, 2)
    expect(s.traffic.peakHourUtc).toBeCloseTo(9, 1)
    expect(s.rpsPeak).toBeCloseTo(6 * 1.45, 1)
    expect(s.workload).toMatchObject({ daily_shape: 'telemetry', registered: { daily_amplitude: ctx.fleet.deployments[0]!.traffic.dailyAmplitude, peak_hour_utc: ctx.fleet.deployments[0]!.traffic.peakHourUtc } })
    // less than most of a day: the registration's shape stands
    const short = { ...ctx, daily: { chat: daily.slice(8) } }
    expect(deploymentState(short, short.fleet.deployments[0]!).workload.daily_shape).toBe('registration')
  })

  it('learns the shared-prefix share from the prefix-cache hit rate while prefix caching is on', () => {
    const ctx = buildContext([spec], { signals: { chat: { ...measured(6, 256, 128, 900), prefixCacheHitRate: 0.57 } } })
    const s = deploymentState(ctx, ctx.fleet.deployments[0]!)
    expect(s.traffic.prefixShare).toBeCloseTo(0.57 / PREFIX_HIT_EFFICIENCY, 9)
    expect(s.workload.prefix_share).toBe('telemetry')
    const off = { ...ctx.fleet.deployments[0]!, stable: { ...ctx.fleet.deployments[0]!.stable, config: { ...ctx.fleet.deployments[0]!.stable.config, enablePrefixCaching: false } } }
    expect(deploymentState(ctx, off).workload.prefix_share).toBe('registration')
  })

  it('uses the registration and the spec sheet where there is no telemetry', () => {
    const ctx = buildContext([spec])
    const s = deploymentState(ctx, ctx.fleet.deployments[0]!)
    expect(s.traffic.efficiency).toBe(1)
    expect(s.workload).toMatchObject({ rate: 'registration', request_shape: 'registration', efficiency: 'spec sheet' })
  })
})
