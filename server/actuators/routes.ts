import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ActuatorAction, ActuatorParams, ActuatorView, CreateActuatorBody } from '../../api/actuators.ts'
import { IdParams, errorResponses } from '../../api/common.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { deleteAudited, recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import { repositoryProblem, stateOf } from './actuator.ts'
import { TRAILER } from './git-repo.ts'
import { renderDeployment } from './layouts.ts'
import { actuatorOf, deleteActuator, insertActuator, listActions, type ActuatorRecord } from './store.ts'

/** Actuators: how a customer's approved changes reach its fleet (direct by default, Git, or a human). */
export const actuatorRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  const tags = ['actuators']

  app.post('/customers/:id/actuators', { schema: { tags, params: IdParams, body: CreateActuatorBody, response: { 201: ActuatorView, ...errorResponses } } }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    if (await actuatorOf(db, req.params.id)) throw new errors.OPT_CONFLICT('This customer already has an actuator; delete it first')
    const record = recordFrom(req.params.id, req.body, deps.config.gitopsAllowLocal)
    if (record.kind === 'git') await importFleet(deps, record)
    const stored = await db.tx(async (tx) => {
      const r = await insertActuator(tx, record, clock.now())
      if (!r) throw new errors.OPT_CONFLICT('This customer already has an actuator; delete it first')
      await recordAudit(tx, clock, { customerId: r.customer_id, actor: actorOf(user), action: 'actuator:created', subjectType: 'actuator', subjectId: r.id, detail: { kind: r.kind, repository: r.repository, branch: r.branch, layout: r.layout } })
      return r
    })
    if (stored.kind === 'git') deps.actuators.follow(stored)
    return reply.status(201).send(stored)
  })

  app.get('/customers/:id/actuators', { schema: { tags, params: IdParams, response: { 200: Type.Array(ActuatorView), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const r = await actuatorOf(db, req.params.id)
    return r ? [r] : []
  })

  app.delete('/customers/:id/actuators/:actuatorId', { schema: { tags, params: ActuatorParams, response: { 204: Type.Null(), ...errorResponses } } }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    const gone = await deleteAudited(db, clock, { customerId: req.params.id, actor: actorOf(user), action: 'actuator:deleted', subjectType: 'actuator', subjectId: req.params.actuatorId },
      (tx) => deleteActuator(tx, req.params.id, req.params.actuatorId))
    if (!gone) throw new errors.OPT_NOT_FOUND('Actuator')
    deps.actuators.unfollow(req.params.id)
    await rm(path.join(deps.config.dataDir, 'gitops', req.params.actuatorId), { recursive: true, force: true })
    return reply.status(204).send(null)
  })

  app.get('/customers/:id/actuators/actions', { schema: { tags, params: IdParams, response: { 200: Type.Array(ActuatorAction), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return (await listActions(db, req.params.id)).map(({ wanted: _wanted, ...a }) => a)
  })
}

function recordFrom(customerId: string, body: CreateActuatorBody, allowLocal: boolean): Omit<ActuatorRecord, 'created_at'> {
  const base = { id: randomUUID(), customer_id: customerId }
  if (body.kind === 'manual') return { ...base, kind: 'manual', repository: null, branch: null, layout: null }
  if (!body.repository || !body.layout) throw new errors.OPT_ACTUATOR_INVALID('kind "git" needs repository and layout')
  const problem = repositoryProblem(body.repository, allowLocal)
  if (problem) throw new errors.OPT_ACTUATOR_INVALID(problem)
  return { ...base, kind: 'git', repository: body.repository, branch: body.branch ?? 'main', layout: body.layout }
}

/** The first commit: every deployment as it runs now, so later reverts have a state to return to. */
async function importFleet(deps: Deps, record: Omit<ActuatorRecord, 'created_at'>): Promise<void> {
  const { deployments } = await deps.cloud.listResources(record.customer_id)
  const files = Object.assign({}, ...deployments.map((d) => renderDeployment(record.layout!, stateOf(d)))) as Record<string, string>
  const changeId = `import:${record.id}`
  const message = `Import current serving state\n\nOptiInfra manages ${deployments.length} deployment(s) through this repository from here on.\n\n${TRAILER.change}: ${changeId}\n`
  try {
    await deps.actuators.repoOf({ ...record, created_at: '' }).commit(changeId, files, message)
  } catch (err) {
    await rm(path.join(deps.config.dataDir, 'gitops', record.id), { recursive: true, force: true })
    throw new errors.OPT_ACTUATOR_UNREACHABLE(String((err as Error).message ?? err).split('\n')[0]!.slice(0, 300))
  }
}
