import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { IdParams, errorResponses } from '../../api/common.ts'
import { SavingsReport, SavingsReportQuery } from '../../api/reports.ts'
import { errors } from '../errors.ts'
import { requireCustomerAccess } from '../http/auth.ts'
import type { Deps } from '../deps.ts'
import { buildSavingsReport } from './collect.ts'
import { renderSavingsHtml } from './render-html.ts'
import { renderSavingsCsv } from './render-csv.ts'
import { htmlToPdf, pdfAvailable } from './pdf.ts'

/** The executive savings report in JSON, HTML, CSV or PDF. */
export const reportRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/customers/:id/reports/savings', {
    schema: { tags: ['reports'], params: IdParams, querystring: SavingsReportQuery, response: { 200: SavingsReport, ...errorResponses } },
  }, async (req, reply) => {
    requireCustomerAccess(req, req.params.id)
    const format = req.query.format ?? 'json'
    // refuse before the work: a PDF needs a browser on this host
    if (format === 'pdf' && !pdfAvailable()) throw new errors.OPT_UNAVAILABLE('PDF rendering needs Chromium at /usr/bin/chromium (set OPTIINFRA_CHROMIUM_PATH); use format=html and print it instead')
    const report = await buildSavingsReport(deps, req.params.id)
    if (format === 'json') return report
    const file = `savings-report-${report.customer_id}`
    if (format === 'csv') return sendFile(reply, 'text/csv; charset=utf-8', renderSavingsCsv(report), `${file}.csv`)
    const html = renderSavingsHtml(report)
    if (format === 'html') return sendFile(reply, 'text/html; charset=utf-8', html)
    return sendFile(reply, 'application/pdf', await htmlToPdf(html), `${file}.pdf`)
  })
}

// A string or buffer with a non-JSON content type is sent as is (the 200 schema serializes JSON only).
function sendFile(reply: FastifyReply, type: string, body: string | Buffer, attachment?: string): FastifyReply {
  if (attachment) reply.header('content-disposition', `attachment; filename="${attachment}"`)
  return reply.type(type).send(body)
}
