/**
 * What the reconciler did and found, over HTTP: `GET /customers/:id/incidents` (open ones; with
 * `?all=true` resolved ones too, newest first) and `GET /customers/:id/reconciler/actions`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { Incident as IncidentSchema, ReconcilerAction, type Incident as IncidentJson } from '../../api/reconciler.ts'
import type { Deps } from '../deps.ts'
import { requireCustomerAccess } from '../http/auth.ts'
import { listActions, listIncidents, openIncidents, type Incident } from './store.ts'

/** The API view of an incident. */
export function incidentJson(i: Incident): IncidentJson {
  return { id: i.id, deployment_id: i.deploymentId, kind: i.kind, reason: i.reason, opened_at: i.openedAt.toISOString(), resolved_at: i.resolvedAt?.toISOString() ?? null }
}

/** Reconciler routes. */
export const reconcilerRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const tags = ['reconciler']
  app.get('/customers/:id/incidents', {
    schema: { tags, params: IdParams, querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }), response: { 200: Type.Array(IncidentSchema), ...errorResponses } },
  }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return (req.query.all ? await listIncidents(deps.db, req.params.id) : await openIncidents(deps.db, req.params.id)).map(incidentJson)
  })

  app.get('/customers/:id/reconciler/actions', { schema: { tags, params: IdParams, response: { 200: Type.Array(ReconcilerAction), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return (await listActions(deps.db, req.params.id)).map((a) => ({
      id: a.id, deployment_id: a.deploymentId, kind: a.kind, reason: a.reason, status: a.status, result: a.result,
      created_at: a.createdAt.toISOString(), finished_at: a.finishedAt?.toISOString() ?? null,
    }))
  })
}
