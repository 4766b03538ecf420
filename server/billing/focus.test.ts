import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseFocusCsv, summarize, toFocusCsv } from './focus.ts'

const SAMPLE = readFileSync(new URL('./fixtures/focus-1.0-sample.csv', import.meta.url), 'utf8')
const HEADER = 'BilledCost,EffectiveCost,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ResourceId'
const row = (cost = '1.5', start = '2026-01-01T00:00:00Z') => `${cost},${cost},USD,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,${start},2026-01-01T01:00:00Z,Usage,i-1`

describe('FOCUS import', () => {
  it('reads the FOCUS sample data with the counts and totals of a hand check (fixtures/README.md)', () => {
    const parsed = parseFocusCsv(SAMPLE)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const s = summarize(parsed.lines)
    expect(s.rows).toBe(1000)
    expect(s.totalEffectiveCost).toBeCloseTo(14.97651418586, 9)
    expect(s.totalBilledCost).toBeCloseTo(20.52022672899, 9)
    expect(s.billingPeriodStart.toISOString()).toBe('2024-09-01T00:00:00.000Z')
    expect(s.billingPeriodEnd.toISOString()).toBe('2024-11-01T00:00:00.000Z')
    expect(parsed.lines.every((l) => l.currency === 'USD')).toBe(true)
  })

  it('refuses the whole file when rows are bad, naming each bad line (the header is line 1)', () => {
    const csv = [HEADER, row(), row('abc'), row('2', 'yesterday'), row()].join('\n')
    const parsed = parseFocusCsv(csv)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errorCount).toBe(2)
    expect(parsed.errors.map((e) => e.line)).toEqual([3, 4])
    expect(parsed.errors[0]!.message).toMatch(/BilledCost/)
    expect(parsed.errors[1]!.message).toMatch(/ChargePeriodStart/)
  })

  it('refuses files without the FOCUS columns, with no rows, with mixed currencies, or that are not CSV', () => {
    expect(parseFocusCsv('a,b\n1,2\n')).toMatchObject({ ok: false, errors: [{ line: 1, message: expect.stringMatching(/missing FOCUS column/) }] })
    expect(parseFocusCsv(`${HEADER}\n`)).toMatchObject({ ok: false, errors: [{ line: 2, message: 'no rows' }] })
    const eur = row().replace('USD', 'EUR')
    expect(parseFocusCsv([HEADER, row(), eur].join('\n'))).toMatchObject({ ok: false, errors: [{ line: 3, message: expect.stringMatching(/one currency/) }] })
    expect(parseFocusCsv(`${HEADER}\n"unterminated,1`)).toMatchObject({ ok: false })
  })

  it('accepts NULL and empty optional values and SQL-style UTC timestamps', () => {
    const csv = [HEADER, '2,1.75,USD,2026-01-01 00:00:00,2026-02-01 00:00:00,2026-01-01 05:00:00,2026-01-01 06:00:00,Usage,NULL'].join('\n')
    const parsed = parseFocusCsv(csv)
    expect(parsed).toMatchObject({ ok: true, lines: [{ resourceId: null, effectiveCost: 1.75, billedCost: 2 }] })
    if (parsed.ok) expect(parsed.lines[0]!.chargePeriodStart.toISOString()).toBe('2026-01-01T05:00:00.000Z')
  })

  it('writes a provider bill as FOCUS rows that the importer reads back line for line', () => {
    const line = { instanceId: 'i-9', instanceType: 'p5.48xlarge', pricing: 'spot' as const, deploymentId: 'chat', from: '2026-03-31T23:00:00.000Z', to: '2026-04-01T00:00:00.000Z', hours: 1, costUsd: 37.21 }
    const csv = toFocusCsv('cust-1', [{ line, cloud: 'aws', region: 'us-east-1' }, { line: { ...line, instanceId: 'i-10', pricing: 'on-demand', costUsd: 98.32 }, cloud: null, region: null }])
    const parsed = parseFocusCsv(csv)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    expect(parsed.lines.map((l) => [l.resourceId, l.effectiveCost, l.pricingCategory, l.providerName])).toEqual([['i-9', 37.21, 'Dynamic', 'AWS'], ['i-10', 98.32, 'Standard', null]])
    expect(parsed.lines[0]!.billingPeriodStart.toISOString()).toBe('2026-03-01T00:00:00.000Z')
    expect(summarize(parsed.lines).totalEffectiveCost).toBeCloseTo(135.53, 9)
  })
})
