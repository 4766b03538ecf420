/**
 * SLOs over HTTP: every deployment's SLO (`GET /customers/:id/slos`, proposals stored on first
 * read), one deployment's, and `PUT` to declare or edit it (confirming a proposal is declaring it).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { DeploymentParams, DeploymentSlo, SloBody } from '../../api/slo.ts'
import { recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import type { FleetDeployment } from '../cloud/provider.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { sloProblem, toProviderSlo, type SloSpec } from './slo.ts'
import { listSlos, putSlo, slosOf, sloOf } from './store.ts'
import { judgedFleet } from '../orchestrator/context.ts'
import { bundledCatalog } from '../cloud/catalog/catalog.ts'

const tags = ['slo']

/** The API body as a full spec (absent optional limits are null); throws OPT_SLO_INVALID when inconsistent. */
export function sloFromBody(b: SloBody): SloSpec {
  const s: SloSpec = { ttft_p95_ms: b.ttft_p95_ms ?? null, itl_p95_ms: b.itl_p95_ms ?? null, e2e_p95_ms: b.e2e_p95_ms, e2e_p99_ms: b.e2e_p99_ms, max_error_rate: b.max_error_rate, min_quality: b.min_quality }
  const problem = sloProblem(s)
  if (problem) throw new errors.OPT_SLO_INVALID(problem)
  return s
}

/** The customer's deployments: the provider's and those only a connected Prometheus shows (prices do not matter here). */
async function deploymentsOf(deps: Pick<Deps, 'db' | 'cloud' | 'clock'>, customerId: string): Promise<FleetDeployment[]> {
  return (await judgedFleet(deps, customerId, { catalog: bundledCatalog(), prices: [], now: deps.clock.now() })).deployments
}

/** A customer's deployment by id, or OPT_NOT_FOUND (the per-deployment routes of SLOs and gates). */
export async function deploymentOrNotFound(deps: Pick<Deps, 'db' | 'cloud' | 'clock'>, customerId: string, deploymentId: string): Promise<FleetDeployment> {
  const d = (await deploymentsOf(deps, customerId)).find((x) => x.id === deploymentId)
  if (!d) throw new errors.OPT_NOT_FOUND('Deployment')
  return d
}

/** SLO routes. */
export const sloRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  const deploymentOf = (customerId: string, deploymentId: string) => deploymentOrNotFound(deps, customerId, deploymentId)

  app.get('/customers/:id/slos', { schema: { tags, params: IdParams, response: { 200: Type.Array(DeploymentSlo), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return slosOf(db, req.params.id, await deploymentsOf(deps, req.params.id), clock.now())
  })

  app.get('/customers/:id/deployments/:deploymentId/slo', { schema: { tags, params: DeploymentParams, response: { 200: DeploymentSlo, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const d = await deploymentOf(req.params.id, req.params.deploymentId)
    return sloOf(await listSlos(db, req.params.id), d, clock.now())
  })

  app.put('/customers/:id/deployments/:deploymentId/slo', { schema: { tags, params: DeploymentParams, body: SloBody, response: { 200: DeploymentSlo, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    const d = await deploymentOf(req.params.id, req.params.deploymentId)
    const spec = sloFromBody(req.body)
    const now = clock.now()
    await db.tx(async (tx) => {
      await putSlo(tx, req.params.id, d.id, spec, 'declared', now)
      await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'slo:declared', subjectType: 'deployment', subjectId: d.id, detail: spec })
    })
    // the simulated cloud serves (and canary analysis reads) the deployment's SLO: keep its copy equal
    await deps.twin?.setSlo(req.params.id, d.id, toProviderSlo(spec))
    await deps.live.publish({ type: 'slo:changed', customerId: req.params.id, id: d.id, data: { ...spec, source: 'declared' }, at: now.toISOString() }).catch(() => undefined)
    return sloOf(await listSlos(db, req.params.id), d, now)
  })
}
