import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { Dashboard } from '../../api/dashboard.ts'
import { requireCustomerAccess } from '../http/auth.ts'
import type { Deps } from '../deps.ts'
import { summarizeDashboard } from './summarize.ts'
import { readOnce } from '../cloud/read-once.ts'

/** The portal's overview of one customer. */
export const dashboardRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/portal/customers/:id/dashboard', { schema: { tags: ['dashboard'], params: IdParams, response: { 200: Dashboard, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return summarizeDashboard({ ...deps, cloud: readOnce(deps.cloud) }, req.params.id)
  })
}
