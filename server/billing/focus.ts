/**
 * FOCUS (FinOps Open Cost and Usage Specification, 1.x) billing exports: the format AWS (CUR 2.0 /
 * FOCUS), GCP and Azure export cost data in. Pure: parsing and validation of rows, and writing a
 * provider's bill lines as FOCUS rows. Costs are kept as the export states them; EffectiveCost
 * (after commitments and discounts) is what spend means.
 */
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import type { BillLine, Cloud, Pricing } from '../cloud/provider.ts'

/** Columns an import must have (FOCUS 1.0 mandatory columns that spend depends on). */
export const REQUIRED_COLUMNS = ['BilledCost', 'EffectiveCost', 'BillingCurrency', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory'] as const
/** Most rows one import may carry (a month of hourly lines for ~1,300 resources). */
export const MAX_ROWS = 1_000_000
/** Most row errors reported back (the rest are counted). */
export const MAX_REPORTED_ERRORS = 50

/** One imported line. */
export interface FocusLine {
  line: number
  billingPeriodStart: Date
  billingPeriodEnd: Date
  chargePeriodStart: Date
  chargePeriodEnd: Date
  chargeCategory: string
  pricingCategory: string | null
  resourceId: string | null
  serviceName: string | null
  skuId: string | null
  providerName: string | null
  regionId: string | null
  currency: string
  billedCost: number
  effectiveCost: number
}

export interface RowError { line: number; message: string }
export type ParsedBill = { ok: true; lines: FocusLine[] } | { ok: false; errors: RowError[]; errorCount: number }

// FOCUS exports spell an absent value as an empty field or NULL
const absent = (v: string | undefined) => v === undefined || v === '' || v === 'NULL'
// ISO-8601, or the "YYYY-MM-DD HH:MM:SS" (UTC) that SQL-sourced exports write
const DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/

function date(v: string | undefined): Date | null {
  if (absent(v) || !DATE.test(v!)) return null
  const iso = v!.replace(' ', 'T')
  const d = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) || iso.length === 10 ? iso : `${iso}Z`)
  return Number.isNaN(d.getTime()) ? null : d
}

function decimal(v: string | undefined): number | null {
  if (absent(v) || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v!)) return null
  return Number(v)
}

const text = (v: string | undefined) => (absent(v) ? null : v!)

const DATE_COLUMNS = ['BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd'] as const

/** One row → a line, or the reason it is invalid. */
function lineOf(row: Record<string, string>, line: number): FocusLine | string {
  const d = {} as Record<(typeof DATE_COLUMNS)[number], Date>
  for (const c of DATE_COLUMNS) {
    const v = date(row[c])
    if (!v) return `${c} is not a date: ${JSON.stringify(row[c] ?? null)}`
    d[c] = v
  }
  const billedCost = decimal(row.BilledCost)
  const effectiveCost = decimal(row.EffectiveCost)
  if (billedCost === null) return `BilledCost is not a decimal number: ${JSON.stringify(row.BilledCost ?? null)}`
  if (effectiveCost === null) return `EffectiveCost is not a decimal number: ${JSON.stringify(row.EffectiveCost ?? null)}`
  if (absent(row.ChargeCategory)) return 'ChargeCategory is empty'
  if (!/^[A-Z]{3}$/.test(row.BillingCurrency ?? '')) return `BillingCurrency is not an ISO 4217 code: ${JSON.stringify(row.BillingCurrency ?? null)}`
  if (d.ChargePeriodEnd.getTime() < d.ChargePeriodStart.getTime()) return 'ChargePeriodEnd is before ChargePeriodStart'
  return {
    line, billingPeriodStart: d.BillingPeriodStart, billingPeriodEnd: d.BillingPeriodEnd, chargePeriodStart: d.ChargePeriodStart, chargePeriodEnd: d.ChargePeriodEnd,
    chargeCategory: row.ChargeCategory!, pricingCategory: text(row.PricingCategory), resourceId: text(row.ResourceId), serviceName: text(row.ServiceName),
    skuId: text(row.SkuId), providerName: text(row.ProviderName), regionId: text(row.RegionId), currency: row.BillingCurrency!, billedCost, effectiveCost,
  }
}

/** Parses a FOCUS CSV export; any invalid row rejects the whole file, with line numbers (line 1 is the header). */
export function parseFocusCsv(csv: string): ParsedBill {
  let records: string[][]
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: false })
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 0
    return { ok: false, errors: [{ line, message: `not valid CSV: ${(e as Error).message}` }], errorCount: 1 }
  }
  const [header, ...rows] = records
  const missing = REQUIRED_COLUMNS.filter((c) => !header?.includes(c))
  if (!header || missing.length) return { ok: false, errors: [{ line: 1, message: `missing FOCUS column(s): ${missing.join(', ') || REQUIRED_COLUMNS.join(', ')}` }], errorCount: 1 }
  if (rows.length === 0) return { ok: false, errors: [{ line: 2, message: 'no rows' }], errorCount: 1 }
  if (rows.length > MAX_ROWS) return { ok: false, errors: [{ line: MAX_ROWS + 2, message: `more than ${MAX_ROWS} rows; split the export` }], errorCount: 1 }
  const lines: FocusLine[] = []
  const errors: RowError[] = []
  let errorCount = 0
  rows.forEach((cells, i) => {
    const row = Object.fromEntries(header.map((h, j) => [h, cells[j]!]))
    const r = lineOf(row, i + 2)
    if (typeof r === 'string') {
      errorCount++
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line: i + 2, message: r })
    } else lines.push(r)
  })
  if (errorCount) return { ok: false, errors, errorCount }
  const other = lines.find((l) => l.currency !== lines[0]!.currency)
  if (other) return { ok: false, errors: [{ line: other.line, message: `BillingCurrency ${other.currency} differs from ${lines[0]!.currency}: one currency per import` }], errorCount: 1 }
  return { ok: true, lines }
}

/** Totals an import reports. */
export function summarize(lines: FocusLine[]): { rows: number; billingPeriodStart: Date; billingPeriodEnd: Date; totalEffectiveCost: number; totalBilledCost: number } {
  let start = Infinity
  let end = -Infinity
  let effective = 0
  let billed = 0
  for (const l of lines) {
    start = Math.min(start, l.billingPeriodStart.getTime())
    end = Math.max(end, l.billingPeriodEnd.getTime())
    effective += l.effectiveCost
    billed += l.billedCost
  }
  return { rows: lines.length, billingPeriodStart: new Date(start), billingPeriodEnd: new Date(end), totalEffectiveCost: round(effective), totalBilledCost: round(billed) }
}

// costs carry up to 11 decimals in real exports; sums are reported to 1e-9 USD
const round = (x: number) => Math.round(x * 1e9) / 1e9

/** FOCUS PricingCategory of a pricing model. */
const PRICING_CATEGORY: Record<Pricing, string> = { 'on-demand': 'Standard', spot: 'Dynamic', reserved: 'Committed' }
const PROVIDER: Record<Cloud, { provider: string; service: string; transferService: string }> = {
  aws: { provider: 'AWS', service: 'Amazon Elastic Compute Cloud', transferService: 'AWS Data Transfer' },
  gcp: { provider: 'Google Cloud', service: 'Compute Engine', transferService: 'Networking' },
}
/** SkuId of a data-transfer line, by the direction of the bytes relative to the instance. */
const TRANSFER_SKU = { to_instance: 'DataTransfer-Out-Bytes (callers)', from_instance: 'DataTransfer-Out-Bytes' } as const

/** The columns the export writes: FOCUS 1.0 names, plus `x_DeploymentId` (custom columns start with x_). */
export const EXPORT_COLUMNS = ['BillingAccountId', 'BillingCurrency', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory', 'ChargeFrequency', 'PricingCategory', 'ProviderName', 'ServiceCategory', 'ServiceName', 'RegionId', 'ResourceId', 'ResourceType', 'SkuId', 'ConsumedQuantity', 'ConsumedUnit', 'BilledCost', 'EffectiveCost', 'x_DeploymentId'] as const

/** A bill line with where it ran (the provider's bill lines do not carry cloud and region). */
export interface ExportLine { line: BillLine; cloud: Cloud | null; region: string | null }

/** Writes bill lines as a FOCUS CSV; billing periods are calendar months (UTC). */
export function toFocusCsv(accountId: string, lines: ExportLine[]): string {
  const rows = lines.map(({ line: l, cloud, region }) => {
    const from = new Date(l.from)
    const month = [Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1), Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1)].map((t) => new Date(t).toISOString())
    const head = [accountId, 'USD', month[0], month[1], l.from, l.to, 'Usage', 'Usage-Based']
    const tail = [l.costUsd, l.costUsd, l.deploymentId ?? '']
    if (l.transfer) {
      const t = l.transfer
      return [...head, 'Standard', PROVIDER[t.cloud].provider, 'Networking', PROVIDER[t.cloud].transferService, t.region, l.instanceId, 'Data Transfer', TRANSFER_SKU[t.direction], t.gb, 'GB', ...tail]
    }
    const who = cloud ? PROVIDER[cloud] : null
    return [...head, PRICING_CATEGORY[l.pricing], who?.provider ?? '', 'Compute', who?.service ?? '', region ?? '', l.instanceId, 'Virtual Machine', l.instanceType, l.hours, 'Hours', ...tail]
  })
  return stringify([[...EXPORT_COLUMNS], ...rows])
}
