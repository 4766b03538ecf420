import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

export const NotificationEventName = Type.Union([
  Type.Literal('approval_needed'), Type.Literal('rolled_back'), Type.Literal('failed'), Type.Literal('completed'), Type.Literal('incident'),
])

/** POST /customers/{id}/notifications/webhooks */
export const CreateWebhookBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'incoming-webhook URL (https://; Slack, Mattermost, Teams workflows or any JSON receiver)' }),
  events: Type.Optional(Type.Array(NotificationEventName, { minItems: 1, uniqueItems: true, description: 'default: all events' })),
}, { additionalProperties: false })
export type CreateWebhookBody = Static<typeof CreateWebhookBody>

export const WebhookView = Type.Object({ id: Uuid, customer_id: Uuid, url: Type.String(), events: Type.Array(Type.String()), created_at: Type.String() })

export const DeliveryView = Type.Object({
  audit_id: Type.String(), event: Type.String(), status: Type.String(), attempts: Type.Integer(),
  http_status: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]), at: Type.String(),
})

export const WebhookParams = Type.Object({ id: Uuid, webhookId: Uuid })
