import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AuditEntry } from '../../api/accounts.ts'
import { IdParams, errorResponses } from '../../api/common.ts'
import { requireCustomerAccess } from '../http/auth.ts'
import { listAudit } from './store.ts'
import type { Deps } from '../deps.ts'

/** The audit trail of one customer: every state change, with who and when. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/customers/:id/audit', {
    schema: { tags: ['audit'], params: IdParams, querystring: Type.Object({ subject_id: Type.Optional(Type.String({ maxLength: 100 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) }), response: { 200: Type.Array(AuditEntry), ...errorResponses } },
  }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return listAudit(deps.db, req.params.id, { subjectId: req.query.subject_id, limit: req.query.limit })
  })
}
