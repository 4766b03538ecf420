/**
 * Bills in FOCUS: a customer imports its cloud's FOCUS export (AWS CUR 2.0 / FOCUS, GCP's FOCUS
 * export), and exports the provider's bill of its fleet in the same format, so the twin's bill and
 * a real one go through one importer.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { BillImport, CostsQuery, ExportQuery, ImportQuery, ResourceCosts } from '../../api/bills.ts'
import { IdParams, errorResponses } from '../../api/common.ts'
import { recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { parseTime } from '../telemetry/metrics.ts'
import { exportWindow, providerBillAsFocus } from './export.ts'
import { parseFocusCsv, summarize } from './focus.ts'
import { effectiveCostByResource, insertImport, listImports } from './store.ts'
import { settleCompletedChanges } from '../optimizations/bill-settlement.ts'

/** Largest FOCUS file one request may carry (a month of hourly lines for a few hundred GPUs). */
export const BILL_BODY_LIMIT = 64 * 1024 * 1024

export const billingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  const tags = ['billing']
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: BILL_BODY_LIMIT }, (_req, body, done) => { done(null, body) })

  app.post('/customers/:id/bills', {
    bodyLimit: BILL_BODY_LIMIT,
    schema: { tags, summary: 'Import a FOCUS 1.x billing export (text/csv)', params: IdParams, querystring: ImportQuery, response: { 201: BillImport, ...errorResponses } },
  }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    if (typeof req.body !== 'string') throw new errors.OPT_UNSUPPORTED_MEDIA(`${String(req.headers['content-type'] ?? 'none')}; send the FOCUS export as text/csv`)
    const parsed = parseFocusCsv(req.body)
    if (!parsed.ok) {
      const listed = parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')
      throw new errors.OPT_BILL_INVALID(`${parsed.errorCount} invalid row(s): ${listed}${parsed.errorCount > parsed.errors.length ? '; …' : ''}`)
    }
    const s = summarize(parsed.lines)
    const stored = await db.tx(async (tx) => {
      const imp = await insertImport(tx, { customerId: req.params.id, rows: s.rows, currency: parsed.lines[0]!.currency, billingPeriodStart: s.billingPeriodStart, billingPeriodEnd: s.billingPeriodEnd, totalEffectiveCost: s.totalEffectiveCost, totalBilledCost: s.totalBilledCost, importedBy: actorOf(user) }, parsed.lines, clock.now())
      await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'bill:imported', subjectType: 'bill', subjectId: imp.id, detail: { rows: imp.rows, total_effective_cost: imp.total_effective_cost } })
      return imp
    })
    // the import may cover changes awaiting their bill: settle them now, so totals read the bill
    // (derived data: the import stands even if this fails, and the next import settles them again)
    const settled = await settleCompletedChanges(deps, req.params.id).catch((err: unknown) => { req.log.warn({ err }, 'settling changes after a bill import failed'); return undefined })
    return reply.status(201).send(settled === undefined ? stored : { ...stored, settled_changes: settled })
  })

  app.get('/customers/:id/bills', { schema: { tags, summary: 'Imported billing exports', params: IdParams, response: { 200: Type.Array(BillImport), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return listImports(db, req.params.id)
  })

  app.get('/customers/:id/bills/costs', { schema: { tags, summary: 'Effective cost per resource from the imported bills', params: IdParams, querystring: CostsQuery, response: { 200: ResourceCosts, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const from = parseTime(req.query.start_time)
    const to = parseTime(req.query.end_time)
    if (!from || !to || from.getTime() >= to.getTime()) throw new errors.OPT_VALIDATION_FAILED('start_time and end_time must be times (ISO-8601 or epoch seconds), start before end')
    return effectiveCostByResource(db, req.params.id, from, to)
  })

  app.get('/customers/:id/bills/export', { schema: { tags, summary: 'The provider\'s bill of the fleet as a FOCUS CSV (hourly charge periods)', params: IdParams, querystring: ExportQuery, response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses } } }, async (req, reply) => {
    requireCustomerAccess(req, req.params.id)
    const w = exportWindow(req.query, clock.now())
    if (!w.ok) throw new errors.OPT_BILL_INVALID(w.message)
    const csv = await providerBillAsFocus(deps.cloud, req.params.id, w.from, w.to)
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="focus-${w.from.toISOString().slice(0, 10)}.csv"`).send(csv)
  })
}
