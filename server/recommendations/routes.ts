/**
 * Recommendations over HTTP: a customer's list (newest first; filters), one recommendation, and
 * rejection. Approval is the workflow's (`approve.ts`). Another tenant's recommendation is 403.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { RecommendationsQuery, RecommendationView, RejectBody } from '../../api/recommendations.ts'
import { recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { getRecommendation, listRecommendations, markRejected, ownerOf } from './store.ts'

const tags = ['recommendations']

/** Recommendation routes. */
export const recommendationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps

  app.get('/customers/:id/recommendations', { schema: { tags, params: IdParams, querystring: RecommendationsQuery, response: { 200: Type.Array(RecommendationView), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return listRecommendations(db, req.params.id, req.query)
  })

  app.get('/recommendations/:id', { schema: { tags, params: IdParams, response: { 200: RecommendationView, ...errorResponses } } }, async (req) => {
    const owner = await ownerOf(db, req.params.id)
    if (!owner) throw new errors.OPT_NOT_FOUND('Recommendation')
    requireCustomerAccess(req, owner)
    return (await getRecommendation(db, req.params.id))!
  })

  app.post('/recommendations/:id/reject', { schema: { tags, params: IdParams, body: RejectBody, response: { 200: RecommendationView, ...errorResponses } } }, async (req) => {
    const owner = await ownerOf(db, req.params.id)
    if (!owner) throw new errors.OPT_NOT_FOUND('Recommendation')
    const user = requireCustomerAccess(req, owner)
    const now = clock.now()
    await db.tx(async (tx) => {
      const current = await getRecommendation(tx, req.params.id)
      if (!(await markRejected(tx, req.params.id, actorOf(user), req.body.reason, now))) {
        throw new errors.OPT_STATE_INVALID(`Recommendation is ${current?.status ?? 'gone'}; only a pending recommendation can be rejected`)
      }
      await recordAudit(tx, clock, { customerId: owner, actor: actorOf(user), action: 'recommendation:rejected', subjectType: 'recommendation', subjectId: req.params.id, detail: { reason: req.body.reason } })
    })
    await deps.live.publish({ type: 'recommendation:item:rejected', customerId: owner, id: req.params.id, at: now.toISOString() }).catch(() => undefined)
    return (await getRecommendation(db, req.params.id))!
  })
}
