/**
 * Admin-only fault injection on the simulated cloud: `POST/GET /admin/simulator/faults`,
 * `DELETE /admin/simulator/faults/:id`, and the cloud's own events. Every change is audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../../api/common.ts'
import { Fault as FaultSchema, FaultBody, FaultListQuery, SimEventQuery, type Fault as FaultJson } from '../../../api/simulator.ts'
import { recordAudit } from '../../audit/store.ts'
import type { Deps } from '../../deps.ts'
import { actorOf, requireAdmin } from '../../http/auth.ts'
import { isActive, type Fault } from './faults.ts'
import type { Simulator } from './simulator.ts'

/** The API view of a fault at `now`. */
export function faultJson(f: Fault, now: Date): FaultJson {
  return {
    id: f.id, customer_id: f.customerId, deployment_id: f.deploymentId, target: f.target, kind: f.kind, magnitude: f.magnitude,
    instance_type: f.instanceType, created_at: f.createdAt.toISOString(), expires_at: f.expiresAt?.toISOString() ?? null,
    cleared_at: f.clearedAt?.toISOString() ?? null, active: isActive(f, now), detail: f.detail,
  }
}

/** Fault injection routes (admin only; 403 for anyone else). */
export const faultRoutes: FastifyPluginAsyncTypebox<{ deps: Deps; sim: Simulator }> = async (app, { deps, sim }) => {
  const { db, clock } = deps
  const tags = ['simulator']

  app.post('/admin/simulator/faults', { schema: { tags, body: FaultBody, response: { 201: FaultSchema, ...errorResponses } } }, async (req, reply) => {
    const admin = requireAdmin(req)
    const fault = await sim.injectFault({ ...req.body, target: req.body.target ?? 'all' })
    await recordAudit(db, clock, {
      customerId: fault.customerId, actor: actorOf(admin), action: 'simulator:fault:injected', subjectType: 'simulator_fault', subjectId: fault.id,
      detail: { kind: fault.kind, target: fault.target, deployment_id: fault.deploymentId, magnitude: fault.magnitude, ...fault.detail },
    })
    return reply.status(201).send(faultJson(fault, clock.now()))
  })

  app.get('/admin/simulator/faults', { schema: { tags, querystring: FaultListQuery, response: { 200: Type.Array(FaultSchema), ...errorResponses } } }, async (req) => {
    requireAdmin(req)
    const now = clock.now()
    return (await sim.listFaults(req.query.customer_id, req.query.active === true)).map((f) => faultJson(f, now))
  })

  app.delete('/admin/simulator/faults/:id', { schema: { tags, params: IdParams, response: { 200: FaultSchema, ...errorResponses } } }, async (req) => {
    const admin = requireAdmin(req)
    const fault = await sim.clearFault(req.params.id)
    await recordAudit(db, clock, { customerId: fault.customerId, actor: actorOf(admin), action: 'simulator:fault:cleared', subjectType: 'simulator_fault', subjectId: fault.id })
    return faultJson(fault, clock.now())
  })

  app.get('/admin/simulator/events', { schema: { tags, querystring: SimEventQuery } }, async (req) => {
    requireAdmin(req)
    return (await sim.events(req.query.customer_id)).map((e) => ({ ...e, at: e.at.toISOString() }))
  })
}
