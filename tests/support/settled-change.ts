/**
 * A spot migration completed on the twin and its bill imported as FOCUS (the export of the twin's
 * own bill, through the same importer as a cloud's): the setup of the bill-settlement tests. The
 * platform runs a workflow worker and `OPTIINFRA_BILL_SETTLEMENT_HOURS=1`.
 */
import { expect } from 'vitest'
import type { Optimization } from '../../api/optimizations.ts'
import type { BillSettlement } from '../../api/bills.ts'
import type { FleetDeployment } from '../../server/cloud/provider.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor } from '../../server/test/optimization-fixtures.ts'
import { waitFor, type TestPlatform } from '../../server/test/platform.ts'

const HOUR = 3_600_000

export interface CompletedChange { c: { customerId: string; token: string; email: string }; dep: FleetDeployment; id: string; done: Optimization; registeredAt: number }

const fleetTimeReaches = (p: TestPlatform, t: number, what: string) => waitFor(async () => p.deps.clock.now().getTime() >= t, { timeoutMs: 60_000, what })

/** The optimization as the API shows it. */
export const getOptimization = async (p: TestPlatform, id: string, token: string) => (await p.http<Optimization>('GET', `/optimizations/${id}`, { token })).body

/** A customer on the seed fleet whose spot migration, approved an hour of fleet time after registration, has completed. */
export async function completedSpotMigration(p: TestPlatform, name: string): Promise<CompletedChange> {
  const c = await p.newCustomer(name)
  const dep = await registerSeedFleet(p.deps.twin!, c.customerId)
  const registeredAt = p.deps.clock.now().getTime()
  await fleetTimeReaches(p, registeredAt + 70 * 60_000, 'an hour of bill before the change')
  const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
  const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
  const id = (await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })).body.optimization_id as string
  const done = await waitFor(async () => { const o = await getOptimization(p, id, c.token); return o.status === 'completed' ? o : null }, { timeoutMs: 90_000, what: 'the change to complete' })
  return { c, dep, id, done, registeredAt }
}

/** Waits until the twin has billed the settlement's windows, exports that bill as FOCUS and imports it; returns the CSV. */
export async function importTwinBill(p: TestPlatform, ch: CompletedChange): Promise<string> {
  const awaiting = ch.done.bill_settlement as Extract<BillSettlement, { status: 'awaiting_bill' }>
  expect(awaiting.status).toBe('awaiting_bill')
  await fleetTimeReaches(p, Date.parse(awaiting.needs_until) + HOUR, 'the bill to cover the hour after the change')
  const from = new Date(Math.floor(ch.registeredAt / HOUR) * HOUR).toISOString()
  const exported = await p.http<string>('GET', `/customers/${ch.c.customerId}/bills/export?format=focus&start_time=${from}&end_time=${p.deps.clock.now().toISOString()}`, { token: ch.c.token })
  expect(exported.status).toBe(200)
  const imported = await p.http('POST', `/customers/${ch.c.customerId}/bills`, { token: ch.c.token, body: exported.body, headers: { 'content-type': 'text/csv' } })
  expect(imported.status, JSON.stringify(imported.body)).toBe(201)
  expect(imported.body.settled_changes).toBe(1)
  return exported.body
}
