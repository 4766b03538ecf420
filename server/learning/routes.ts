import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { SimilarOutcomesReply } from '../../api/optimizations.ts'
import { errors } from '../errors.ts'
import { requireCustomerAccess } from '../http/auth.ts'
import type { Deps } from '../deps.ts'
import { getRecommendation } from '../optimizations/store.ts'
import { adjustByOutcomes, FEATURE_NAMES, featuresOf } from './features.ts'
import { similarOutcomes, vectorBackend } from './store.ts'

/** Past outcomes similar to a recommendation, and how they adjust its confidence and risk. */
export const learningRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/recommendations/:id/similar-outcomes', {
    schema: { tags: ['learning'], params: IdParams, querystring: Type.Object({ k: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) }), response: { 200: SimilarOutcomesReply, ...errorResponses } },
  }, async (req) => {
    const rec = await getRecommendation(deps.db, req.params.id)
    if (!rec) throw new errors.OPT_NOT_FOUND('Recommendation')
    requireCustomerAccess(req, rec.customerId)
    const features = featuresOf({ type: rec.type, riskLevel: rec.riskLevel, confidence: rec.confidence, estimatedSavingsUsd: rec.estimatedSavingsUsd, predicted: rec.predicted, plan: rec.plan })
    const outcomes = await similarOutcomes(deps.db, features, req.query.k ?? 5, { customerId: rec.customerId, ...(rec.optimizationId ? { excludeOptimizationId: rec.optimizationId } : {}) })
    const a = adjustByOutcomes(rec.confidence, rec.riskLevel, outcomes)
    return {
      recommendation_id: rec.id, features, feature_names: [...FEATURE_NAMES], vector_backend: await vectorBackend(deps.db), outcomes,
      adjusted: { confidence: a.confidence, risk_level: a.risk_level, success_rate: a.success_rate, mean_accuracy: a.mean_accuracy, reasons: a.reasons },
    }
  })
}
