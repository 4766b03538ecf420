import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { IdleInstanceParams, IdleInstances, TerminateIdleReply } from '../../api/idle.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import type { Deps } from '../deps.ts'
import { RUN_RATE_WINDOW_MS } from '../spend/run-rate.ts'
import { cents } from '../agents/scoring.ts'
import { IDLE_GRACE_MS, idleInstances } from './idle.ts'
import { terminateIdleInstance } from './terminate.ts'

/** Idle capacity: what the cloud bills for instances serving nothing, and terminating them. */
export const idleRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const tags = ['fleet']

  app.get('/customers/:id/idle-instances', { schema: { tags, summary: 'Instances billed while serving no deployment', params: IdParams, response: { 200: IdleInstances, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const at = deps.clock.now()
    const [lines, fleet] = await Promise.all([deps.cloud.getBill(req.params.id, new Date(at.getTime() - RUN_RATE_WINDOW_MS), at), deps.cloud.listResources(req.params.id)])
    const idle = idleInstances(fleet.instances, lines, at)
    return {
      at: at.toISOString(), monthly_usd: cents(idle.reduce((s, x) => s + x.monthlyUsd, 0)), grace_minutes: IDLE_GRACE_MS / 60_000,
      instances: idle.map(({ instance: i, monthlyUsd, idleForMs }) => ({
        instance_id: i.id, cloud: i.cloud, region: i.region, instance_type: i.instanceType, gpu_type: i.gpuType, gpu_count: i.gpuCount,
        pricing: i.pricing, launched_at: i.launchedAt, monthly_usd: cents(monthlyUsd), idle_hours: cents(idleForMs / 3_600_000),
      })),
    }
  })

  app.post('/customers/:id/idle-instances/:instance_id/terminate', { schema: { tags, summary: 'Terminate an idle instance', params: IdleInstanceParams, response: { 200: TerminateIdleReply, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    const r = await terminateIdleInstance(deps, actorOf(user), req.params.id, req.params.instance_id)
    return { instance_id: r.instanceId, state: r.state, monthly_usd_saved: r.monthlyUsdSaved, already_terminated: r.alreadyTerminated }
  })
}
