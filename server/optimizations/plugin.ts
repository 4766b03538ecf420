import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Deps } from '../deps.ts'
import { optimizationRoutes } from './routes.ts'
import { conflictRoutes } from '../conflicts/routes.ts'
import { learningRoutes } from '../learning/routes.ts'
import { dashboardRoutes } from '../dashboard/routes.ts'
import { spendRoutes } from '../spend/routes.ts'
import { idleRoutes } from '../idle/routes.ts'

/**
 * The change-execution concepts behind one registration in app.ts: approval and optimizations,
 * conflict resolution, similar outcomes, the portal dashboard, spend by deployment and idle capacity.
 */
export const executionRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, opts) => {
  await app.register(optimizationRoutes, opts)
  await app.register(conflictRoutes, opts)
  await app.register(learningRoutes, opts)
  await app.register(dashboardRoutes, opts)
  await app.register(spendRoutes, opts)
  await app.register(idleRoutes, opts)
}
