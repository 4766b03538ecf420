import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/db.ts'
import { freshDb } from '../../test/db.ts'
import { PREFIX_HIT_EFFICIENCY, trafficRpsAt } from '../model/serving.ts'
import { SMALL_FLEET, simFixture } from './testing.ts'
import { trueTraffic, VARIATION_RANGES, variationOf } from './variation.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

describe('the twin\'s hidden variation', () => {
  it('draws each deployment its own variation, the same every time, within the documented ranges', () => {
    const draws = Array.from({ length: 200 }, (_, k) => variationOf(42, 'c', `d${k}`))
    expect(variationOf(42, 'c', 'd0')).toEqual(draws[0])
    expect(variationOf(43, 'c', 'd0')).not.toEqual(draws[0])
    for (const v of draws) {
      expect(v.efficiency).toBeGreaterThanOrEqual(VARIATION_RANGES.efficiency[0])
      expect(v.efficiency).toBeLessThanOrEqual(VARIATION_RANGES.efficiency[1])
      for (const s of [v.rateScale, v.promptScale, v.outputScale]) {
        expect(s).toBeGreaterThanOrEqual(VARIATION_RANGES.scale[0])
        expect(s).toBeLessThanOrEqual(VARIATION_RANGES.scale[1])
      }
      for (const k of ['dailyAmplitude', 'peakShiftHours', 'prefixScale'] as const) {
        expect(v[k]).toBeGreaterThanOrEqual(VARIATION_RANGES[k][0])
        expect(v[k]).toBeLessThanOrEqual(VARIATION_RANGES[k][1])
      }
    }
    // spread over the range, not clumped: some GPUs slower and some faster than the spec sheet
    expect(draws.filter((v) => v.efficiency < 0.95).length).toBeGreaterThan(40)
    expect(draws.filter((v) => v.efficiency > 1.05).length).toBeGreaterThan(40)
  })

  it('serves a deployment unlike its registration while the provider still reports what was registered', async () => {
    const varied = await simFixture(db, SMALL_FLEET, { variation: true })
    const plain = await simFixture(db, SMALL_FLEET)
    const v = variationOf(42, varied.customerId, 'chat-8b')
    const now = varied.clock.now()
    const [reported] = (await varied.sim.listResources(varied.customerId)).deployments
    expect(reported!.traffic).toMatchObject({ baseRps: 8, promptTokensMean: 512, outputTokensMean: 128 })
    expect(JSON.stringify(reported)).not.toContain('efficiency')

    const served = (await varied.sim.servingStats(varied.customerId, 'chat-8b', 'stable', now))!
    const registered = (await plain.sim.servingStats(plain.customerId, 'chat-8b', 'stable', now))!
    expect(served.rps).toBeCloseTo(trafficRpsAt(trueTraffic(reported!.traffic, v), now), 9)
    // the day's shape moved: amplitude and peak hour are the draw's, not the registration's
    const truth = trueTraffic(reported!.traffic, v)
    expect(truth.dailyAmplitude).toBe(v.dailyAmplitude)
    expect(truth.peakHourUtc).toBeCloseTo((reported!.traffic.peakHourUtc + v.peakShiftHours! + 24) % 24, 9)
    expect(served.stats!.prefixCacheHitRate).toBeCloseTo(truth.prefixShare * PREFIX_HIT_EFFICIENCY, 6)
    expect(served.stats!.generationTokensPerSec / served.stats!.throughputRps).toBeCloseTo(128 * v.outputScale, 6)
    expect(served.stats!.e2eMs.p95).not.toBeCloseTo(registered.stats!.e2eMs.p95, 0)

    // re-registering describes the same deployment: its variation stays
    await varied.sim.registerFleet(varied.customerId, SMALL_FLEET)
    const again = (await varied.sim.servingStats(varied.customerId, 'chat-8b', 'stable', now))!
    expect(again.stats!.e2eMs.p95).toBe(served.stats!.e2eMs.p95)
  })
})
