import { describe, expect, it } from 'vitest'
import { agents } from './index.ts'
import { runAnalysis } from './run.ts'
import { buildContext } from './testing.ts'
import type { ObservedSignals } from './agent.ts'

const fleet = [{ id: 'chat', model: 'llama-3-70b' as const, instanceType: 'p4d.24xlarge', cloud: 'aws' as const, count: 2, rps: 45 }]
const cost = agents.find((a) => a.type === 'cost')!

describe('evidence names the data it used', () => {
  it('says the serving model prior was used where the deployment has no telemetry', async () => {
    const ctx = buildContext(fleet)
    const out = await runAnalysis(cost, ctx)
    expect(out.drafts.length).toBeGreaterThan(0)
    for (const d of out.drafts) expect(d.evidence.data_used).toMatchObject({ basis: 'model prior', prices_at: ctx.now })
  })

  it('names the telemetry window, its source and its sample count where telemetry exists', async () => {
    const observed = { samples: 42, throughputRps: 44, p95LatencyMs: 1500, p99LatencyMs: 2100, errorRate: 0, gpuUtilization: 0.7, kvCacheUsage: 0.5 } as Partial<ObservedSignals>
    const base = buildContext(fleet, { signals: { chat: observed as ObservedSignals } })
    const telemetry = { windowFrom: '2026-03-02T08:45:00.000Z', windowTo: base.now, via: { chat: 'Prometheus http://prom.internal:9090' } }
    const out = await runAnalysis(cost, { ...base, telemetry })
    expect(out.drafts.length).toBeGreaterThan(0)
    for (const d of out.drafts) {
      expect(d.evidence.data_used).toMatchObject({ basis: 'telemetry', via: 'Prometheus http://prom.internal:9090', window_from: telemetry.windowFrom, window_to: base.now, samples: 42, prices_at: base.now })
      // the rate and the GPUs' speed come from the telemetry; without token rates the request shape stays the registration's
      expect(d.evidence.data_used).toMatchObject({ workload: { rate: 'telemetry', request_shape: 'registration', efficiency: 'telemetry', rps_now: 44, registered: { rps_now: 45 } } })
    }
    const pushed = await runAnalysis(cost, { ...base, telemetry: { ...telemetry, via: {} } })
    expect(pushed.drafts[0]!.evidence.data_used).toMatchObject({ via: 'pushed by the agent runtime or Prometheus remote-write' })
  })
})
