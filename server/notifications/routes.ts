import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { CreateWebhookBody, DeliveryView, WebhookParams, WebhookView } from '../../api/notifications.ts'
import { IdParams, errorResponses } from '../../api/common.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { deleteAudited, recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import { NOTIFICATION_EVENTS, webhookUrlProblem } from './notification.ts'
import { deleteWebhook, insertWebhook, listDeliveries, listWebhooks, type Webhook } from './store.ts'

const view = ({ cursor: _c, attempts: _a, ...w }: Webhook) => w

/** Notification webhooks of a customer and what was delivered to them. */
export const notificationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  const tags = ['notifications']

  app.post('/customers/:id/notifications/webhooks', { schema: { tags, params: IdParams, body: CreateWebhookBody, response: { 201: WebhookView, ...errorResponses } } }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    const problem = webhookUrlProblem(req.body.url, deps.config.webhooksAllowPrivate)
    if (problem) throw new errors.OPT_VALIDATION_FAILED(`url: ${problem}`)
    const w = await db.tx(async (tx) => {
      const created = await insertWebhook(tx, { customerId: req.params.id, url: req.body.url, events: req.body.events ?? [...NOTIFICATION_EVENTS] }, clock.now())
      await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'notification:webhook_created', subjectType: 'webhook', subjectId: created.id, detail: { events: created.events } })
      return created
    })
    return reply.status(201).send(view(w))
  })

  app.get('/customers/:id/notifications/webhooks', { schema: { tags, params: IdParams, response: { 200: Type.Array(WebhookView), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return (await listWebhooks(db, req.params.id)).map(view)
  })

  app.delete('/customers/:id/notifications/webhooks/:webhookId', { schema: { tags, params: WebhookParams, response: { 204: Type.Null(), ...errorResponses } } }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    const gone = await deleteAudited(db, clock, { customerId: req.params.id, actor: actorOf(user), action: 'notification:webhook_deleted', subjectType: 'webhook', subjectId: req.params.webhookId },
      (tx) => deleteWebhook(tx, req.params.id, req.params.webhookId))
    if (!gone) throw new errors.OPT_NOT_FOUND('Webhook')
    return reply.status(204).send(null)
  })

  app.get('/customers/:id/notifications/deliveries', { schema: { tags, params: IdParams, response: { 200: Type.Array(DeliveryView), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return listDeliveries(db, req.params.id)
  })
}
