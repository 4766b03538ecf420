/**
 * Onboarding over HTTP (seed 001 scenario 5): onboard a cloud account, get the agent-runtime
 * install command (a fresh, revocable runtime token), let a runtime connect, and see or register
 * the infrastructure. Discovery runs in the background; its status is on the infrastructure route.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { InfrastructureBody, InstallCommandReply, OnboardBody, OnboardReply, RuntimeConnectBody, RuntimeConnectReply, TokenParams } from '../../api/onboarding.ts'
import { recordAudit } from '../audit/store.ts'
import type { FleetSpec } from '../cloud/index.ts'
import { getCustomer } from '../customers/store.ts'
import type { Deps } from '../deps.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { createRuntimeToken, revokeTokens } from '../runtime/token.ts'
import { infrastructureOf, registerInfrastructure, runDiscovery, startOnboarding } from './discover.ts'
import { bundledCatalog } from '../cloud/catalog/catalog.ts'
import { sloFromBody } from '../slo/routes.ts'
import { storeRegisteredSlos } from '../slo/register.ts'
import { recordApplied } from '../reconciler/intended.ts'
import { onboardProblem } from './onboarding.ts'
import { findRuntimeToken, getOnboarding, listRuntimeTokens, runtimeTokenOf, upsertConnection } from './store.ts'

const tags = ['onboarding']

/** The platform URL as this client reached it (behind a proxy that is the public one), else our own. */
function serverUrl(req: FastifyRequest, deps: Deps): string {
  const host = req.headers['x-forwarded-host'] ?? req.headers.host
  const proto = req.headers['x-forwarded-proto'] ?? req.protocol
  return typeof host === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${String(proto).split(',')[0]}://${host}` : deps.selfUrl()
}

async function requireCustomer(deps: Deps, id: string): Promise<void> {
  if (!(await getCustomer(deps.db, id))) throw new errors.OPT_NOT_FOUND('Customer')
}

/** Onboarding routes. */
export const onboardingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps

  app.post('/customers/:id/onboard', { schema: { tags, params: IdParams, body: OnboardBody, response: { 200: OnboardReply, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    await requireCustomer(deps, req.params.id)
    const problem = onboardProblem(req.body, bundledCatalog())
    if (problem) throw new errors.OPT_ONBOARDING_INVALID(problem)
    if ((await getOnboarding(db, req.params.id))?.status === 'discovering') throw new errors.OPT_STATE_INVALID('Discovery is already running for this customer')
    const row = await startOnboarding(deps, req.params.id, req.body, actorOf(user))
    // Discovery runs after the answer; its outcome (discovered or failed, with the reason) is stored, never thrown.
    void runDiscovery(deps, req.params.id).catch((err: unknown) => deps.log.error({ err }, 'discovery crashed'))
    return { status: 'started' as const, customer_id: req.params.id, discovery_status: row.status }
  })

  app.get('/customers/:id/infrastructure', { schema: { tags, params: IdParams } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    await requireCustomer(deps, req.params.id)
    return infrastructureOf(deps, req.params.id)
  })

  app.post('/customers/:id/infrastructure', { schema: { tags, params: IdParams, body: InfrastructureBody } }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    await requireCustomer(deps, req.params.id)
    const declared = new Map(req.body.vllm_deployments.flatMap((d) => (d.slo ? [[d.deployment_id, sloFromBody(d.slo)] as const] : [])))
    const spec = { ...req.body, vllm_deployments: req.body.vllm_deployments.map((d) => ({ ...d, slo: declared.get(d.deployment_id) })) }
    await registerInfrastructure(deps, req.params.id, spec as FleetSpec, actorOf(user))
    await storeRegisteredSlos(deps, req.params.id, declared)
    await recordApplied(deps, req.params.id)
    return reply.status(201).send(await infrastructureOf(deps, req.params.id))
  })

  app.get('/customers/:id/agent-install-command', { schema: { tags, params: IdParams, response: { 200: InstallCommandReply, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    await requireCustomer(deps, req.params.id)
    const minted = await db.tx(async (tx) => {
      const t = await createRuntimeToken(tx, req.params.id, 'install command')
      await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'runtime_token:created', subjectType: 'access_token', subjectId: t.id })
      return t
    })
    const server = serverUrl(req, deps)
    return { install_command: `npx optiinfra runtime --server ${server} --token ${minted.token}`, agent_token: minted.token, token_id: minted.id, server }
  })

  app.get('/customers/:id/agent-tokens', { schema: { tags, params: IdParams } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return listRuntimeTokens(db, req.params.id)
  })

  app.delete('/customers/:id/agent-tokens/:tokenId', { schema: { tags, params: TokenParams, response: { 200: Type.Object({ revoked: Type.Literal(true) }), ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    if (!(await runtimeTokenOf(db, req.params.id, req.params.tokenId))) throw new errors.OPT_NOT_FOUND('Agent token')
    await db.tx(async (tx) => {
      await revokeTokens(tx, [req.params.tokenId], clock)
      await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'runtime_token:revoked', subjectType: 'access_token', subjectId: req.params.tokenId })
    })
    return { revoked: true as const }
  })

  // The runtime proves itself with the token in the body (the seeds' shape), not a bearer header.
  app.post('/agent-runtime/connect', { schema: { tags, body: RuntimeConnectBody, response: { 200: RuntimeConnectReply, ...errorResponses } } }, async (req) => {
    const b = req.body
    const token = await findRuntimeToken(db, b.agent_token)
    if (!token || token.revoked_at) throw new errors.OPT_AGENT_TOKEN_INVALID()
    if (token.customer_id !== b.customer_id) throw new errors.OPT_AUTH_FORBIDDEN()
    const runtimeId = await db.tx(async (tx) => {
      const id = await upsertConnection(tx, { customerId: b.customer_id, tokenId: token.id, hostname: b.hostname, version: b.version }, clock.now())
      await recordAudit(tx, clock, { customerId: b.customer_id, actor: `runtime:${token.id}`, action: 'runtime:connected', subjectType: 'runtime', subjectId: id, detail: { hostname: b.hostname, version: b.version } })
      return id
    })
    await deps.live.publish({ type: 'onboarding:runtime:connected', customerId: b.customer_id, id: runtimeId, data: { hostname: b.hostname }, at: clock.now().toISOString() }).catch(() => undefined)
    return { connected: true as const, runtime_id: runtimeId, customer_id: b.customer_id }
  })
}
