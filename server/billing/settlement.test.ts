import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/db.ts'
import { freshDb } from '../test/db.ts'
import { insertCustomer } from '../customers/store.ts'
import type { FocusLine } from './focus.ts'
import { hourlyRate, settle, settlementWindows } from './settlement.ts'
import { insertImport, resourceUsage } from './store.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const H = 3_600_000
const T = Date.parse('2026-03-02T12:00:00Z')
const change = { original: { instance_ids: ['i-od-1', 'i-od-2'], captured_at: new Date(T).toISOString() }, canary_ids: ['i-spot-1', 'i-spot-2'], promoted_at: new Date(T + 2 * H).toISOString(), predictedUsd: 1000 }

describe('settling a change against the imported bill', () => {
  it('compares the day before the change started with the day after it settled, each on its own group', () => {
    const w = settlementWindows(change, 24, 5 * 60_000)!
    expect(w.before).toEqual({ from: new Date(T - 24 * H), to: new Date(T), resources: ['i-od-1', 'i-od-2'] })
    expect(w.after).toEqual({ from: new Date(T + 2 * H + 5 * 60_000), to: new Date(T + 26 * H + 5 * 60_000), resources: ['i-spot-1', 'i-spot-2'] })
    expect(settlementWindows({ ...change, promoted_at: undefined }, 24, 0)).toBeNull()
  })

  it('waits for an import covering both windows, and then settles from each resource\'s cost per billed hour', () => {
    const w = settlementWindows(change, 24, 0)!
    const early = { from: new Date(T - 48 * H), to: new Date(T + 12 * H) }
    expect(settle(w, early, { before: [], after: [] }, 1000)).toMatchObject({ status: 'awaiting_bill', needs_until: new Date(T + 26 * H).toISOString(), covered_until: early.to.toISOString() })
    const covered = { from: new Date(T - 48 * H), to: new Date(T + 48 * H) }
    // i-od-2 was billed only 12 of the 24 hours: its price per hour, not its share of the day, counts
    const before = [{ resource_id: 'i-od-1', effective_cost: 48, hours: 24 }, { resource_id: 'i-od-2', effective_cost: 24, hours: 12 }]
    const after = [{ resource_id: 'i-spot-1', effective_cost: 14.4, hours: 24 }]
    expect(hourlyRate(before)).toBe(4)
    const s = settle(w, covered, { before, after }, 2000)
    expect(s).toMatchObject({ status: 'settled', before_hourly_usd: 4, after_hourly_usd: 0.6, monthly_cost_before: 2920, monthly_cost_after: 438, actual_savings: 2482, predicted_savings: 2000, unbilled: ['i-spot-2'] })
    expect(s.status === 'settled' && s.prediction_error).toBeCloseTo(0.241, 3)
  })

  it('prorates daily and hourly lines by the part of their charge period inside the window, and counts hours of usage only, each charge period once (a data-transfer line beside the compute line adds cost, not time)', async () => {
    const customerId = (await insertCustomer(db, { company_name: 'Settle Co', plan: 'pro' })).id
    const line = (n: number, resourceId: string, start: number, hours: number, cost: number, category = 'Usage'): FocusLine => ({
      line: n, billingPeriodStart: new Date(T - 30 * 24 * H), billingPeriodEnd: new Date(T + 30 * 24 * H), chargePeriodStart: new Date(start), chargePeriodEnd: new Date(start + hours * H),
      chargeCategory: category, pricingCategory: 'Standard', resourceId, serviceName: 'Amazon Elastic Compute Cloud', skuId: null, providerName: 'AWS', regionId: 'us-east-1', currency: 'USD', billedCost: cost, effectiveCost: cost,
    })
    const lines = [
      line(2, 'i-daily', T - 24 * H, 24, 96), line(3, 'i-daily', T, 24, 96),
      line(4, 'i-hourly', T - 2 * H, 1, 3), line(5, 'i-hourly', T - H, 1, 3), line(6, 'i-hourly', T - H, 1, -1, 'Credit'),
      line(7, 'i-other', T - H, 1, 50), { ...line(8, 'i-hourly', T - H, 1, 0.5), serviceName: 'AWS Data Transfer', skuId: 'DataTransfer-Out-Bytes' },
    ]
    await db.tx((tx) => insertImport(tx, { customerId, rows: lines.length, currency: 'USD', billingPeriodStart: new Date(T - 30 * 24 * H), billingPeriodEnd: new Date(T + 30 * 24 * H), totalEffectiveCost: 247.5, totalBilledCost: 247.5, importedBy: 'test' }, lines, new Date(T)))
    const usage = await resourceUsage(db, customerId, ['i-daily', 'i-hourly', 'i-absent'], new Date(T - 6 * H), new Date(T + 6 * H))
    expect(usage).toEqual([
      { resource_id: 'i-daily', effective_cost: 48, hours: 12 },
      { resource_id: 'i-hourly', effective_cost: 5.5, hours: 2 },
    ])
  })
})
