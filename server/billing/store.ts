import type { Db } from '../db/db.ts'
import type { FocusLine } from './focus.ts'

/** An import as the API shows it. */
export interface BillImport {
  id: string
  customer_id: string
  format: 'focus'
  rows: number
  currency: string
  billing_period_start: string
  billing_period_end: string
  total_effective_cost: number
  total_billed_cost: number
  imported_by: string
  created_at: string
}

export interface NewImport {
  customerId: string
  rows: number
  currency: string
  billingPeriodStart: Date
  billingPeriodEnd: Date
  totalEffectiveCost: number
  totalBilledCost: number
  importedBy: string
}

// lines go in as column arrays (one statement per chunk) rather than one statement per line
const CHUNK = 5_000
const COLUMNS = 'id, customer_id, format, rows, currency, billing_period_start, billing_period_end, total_effective_cost, total_billed_cost, imported_by, created_at'
const iso = (d: Date | string) => new Date(d).toISOString()
const present = (r: BillImport): BillImport => ({
  ...r, billing_period_start: iso(r.billing_period_start), billing_period_end: iso(r.billing_period_end), created_at: iso(r.created_at),
  total_effective_cost: Number(r.total_effective_cost), total_billed_cost: Number(r.total_billed_cost),
})

/** Stores an import and all its lines; call inside a transaction so a failure stores nothing. */
export async function insertImport(db: Db, imp: NewImport, lines: FocusLine[], now: Date): Promise<BillImport> {
  const [row] = await db.query<BillImport>(
    `INSERT INTO bill_imports (customer_id, format, rows, currency, billing_period_start, billing_period_end, total_effective_cost, total_billed_cost, imported_by, created_at)
     VALUES ($1, 'focus', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [imp.customerId, imp.rows, imp.currency, imp.billingPeriodStart, imp.billingPeriodEnd, imp.totalEffectiveCost, imp.totalBilledCost, imp.importedBy, now])
  for (let i = 0; i < lines.length; i += CHUNK) await insertLines(db, row!.id, imp.customerId, lines.slice(i, i + CHUNK))
  return present(row!)
}

async function insertLines(db: Db, importId: string, customerId: string, lines: FocusLine[]): Promise<void> {
  const col = <T>(f: (l: FocusLine) => T) => lines.map(f)
  await db.query(
    `INSERT INTO bill_lines (import_id, customer_id, line, charge_period_start, charge_period_end, charge_category, pricing_category, resource_id, service_name, sku_id, provider_name, region_id, billed_cost, effective_cost)
     SELECT $1, $2, * FROM unnest($3::int[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::float8[], $14::float8[])`,
    [importId, customerId, col((l) => l.line), col((l) => l.chargePeriodStart.toISOString()), col((l) => l.chargePeriodEnd.toISOString()), col((l) => l.chargeCategory),
      col((l) => l.pricingCategory), col((l) => l.resourceId), col((l) => l.serviceName), col((l) => l.skuId), col((l) => l.providerName), col((l) => l.regionId),
      col((l) => l.billedCost), col((l) => l.effectiveCost)])
}

export async function listImports(db: Db, customerId: string): Promise<BillImport[]> {
  return (await db.query<BillImport>(`SELECT ${COLUMNS} FROM bill_imports WHERE customer_id = $1 ORDER BY created_at DESC, id`, [customerId])).map(present)
}

/** Effective cost per resource over [from, to) from the customer's imported lines (charge periods that start inside). */
export async function effectiveCostByResource(db: Db, customerId: string, from: Date, to: Date): Promise<{ resource_id: string | null; effective_cost: number }[]> {
  const rows = await db.query<{ resource_id: string | null; effective_cost: number }>(
    `SELECT resource_id, sum(effective_cost) AS effective_cost FROM bill_lines
     WHERE customer_id = $1 AND charge_period_start >= $2 AND charge_period_start < $3 GROUP BY resource_id ORDER BY resource_id`, [customerId, from, to])
  return rows.map((r) => ({ resource_id: r.resource_id, effective_cost: Number(r.effective_cost) }))
}

/** One resource's share of the imported bill over a window. */
export interface ResourceUsage { resource_id: string; effective_cost: number; hours: number }

/**
 * Effective cost and billed hours of each resource over [from, to), every line prorated by the
 * part of its charge period inside the window (hourly and daily exports alike). Hours count usage
 * lines only, so a credit or a tax line adds cost, never time; and each charge period once, so an
 * instance's data-transfer line beside its compute line in the same hour adds cost, not an hour.
 */
export async function resourceUsage(db: Db, customerId: string, resourceIds: string[], from: Date, to: Date): Promise<ResourceUsage[]> {
  const rows = await db.query<ResourceUsage>(
    `SELECT resource_id, sum(effective_cost * overlap / NULLIF(span, 0)) AS effective_cost,
            coalesce(sum(overlap) FILTER (WHERE charge_category = 'Usage' AND first_of_period), 0) / 3600 AS hours
     FROM (SELECT resource_id, effective_cost, charge_category,
                  extract(epoch FROM least(charge_period_end, $4) - greatest(charge_period_start, $3)) AS overlap,
                  extract(epoch FROM charge_period_end - charge_period_start) AS span,
                  row_number() OVER (PARTITION BY resource_id, charge_period_start, charge_period_end, charge_category ORDER BY import_id, line) = 1 AS first_of_period
           FROM bill_lines WHERE customer_id = $1 AND resource_id = ANY($2::text[]) AND charge_period_start < $4 AND charge_period_end > $3) l
     GROUP BY resource_id ORDER BY resource_id`, [customerId, resourceIds, from, to])
  return rows.map((r) => ({ resource_id: r.resource_id, effective_cost: Number(r.effective_cost ?? 0), hours: Number(r.hours) }))
}

/** The span of charge periods the customer's imported bills cover (null before any import). */
export async function billCoverage(db: Db, customerId: string): Promise<{ from: Date; to: Date } | null> {
  const [r] = await db.query<{ from: Date | null; to: Date | null }>('SELECT min(charge_period_start) AS "from", max(charge_period_end) AS "to" FROM bill_lines WHERE customer_id = $1', [customerId])
  return r?.from && r.to ? { from: new Date(r.from), to: new Date(r.to) } : null
}

/** A change's savings as settled from the bill (the settled figures of `bill_settlements`). */
export interface StoredSettlement { optimization_id: string; actual_savings: number; monthly_cost_before: number; monthly_cost_after: number }

/** Records (or updates, after a later import) a change's settled savings. */
export async function upsertSettlement(db: Db, customerId: string, s: StoredSettlement, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO bill_settlements (optimization_id, customer_id, actual_savings, monthly_cost_before, monthly_cost_after, settled_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (optimization_id) DO UPDATE SET actual_savings = EXCLUDED.actual_savings, monthly_cost_before = EXCLUDED.monthly_cost_before, monthly_cost_after = EXCLUDED.monthly_cost_after, settled_at = EXCLUDED.settled_at`,
    [s.optimization_id, customerId, s.actual_savings, s.monthly_cost_before, s.monthly_cost_after, at])
}

/** The customer's settled changes, by optimization id. */
export async function settledSavings(db: Db, customerId: string): Promise<Map<string, StoredSettlement>> {
  const rows = await db.query<StoredSettlement>('SELECT optimization_id, actual_savings, monthly_cost_before, monthly_cost_after FROM bill_settlements WHERE customer_id = $1', [customerId])
  return new Map(rows.map((r) => [r.optimization_id, { ...r, actual_savings: Number(r.actual_savings), monthly_cost_before: Number(r.monthly_cost_before), monthly_cost_after: Number(r.monthly_cost_after) }]))
}

/** The customer's effective cost over [from, to) from the imported lines, each prorated to the window. */
export async function effectiveCostOver(db: Db, customerId: string, from: Date, to: Date): Promise<number> {
  const [r] = await db.query<{ cost: number | null }>(
    `SELECT sum(effective_cost * extract(epoch FROM least(charge_period_end, $3) - greatest(charge_period_start, $2)) / NULLIF(extract(epoch FROM charge_period_end - charge_period_start), 0)) AS cost
     FROM bill_lines WHERE customer_id = $1 AND charge_period_start < $3 AND charge_period_end > $2`, [customerId, from, to])
  return Number(r?.cost ?? 0)
}
