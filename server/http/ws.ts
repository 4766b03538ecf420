import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { requireCustomerAccess } from './auth.ts'
import type { LiveHub } from './live.ts'

/**
 * `WS /ws/customers/{id}`: live events of that tenant only. The token (header, or `?token=` since
 * browsers cannot set headers on a WebSocket) is checked before the upgrade, so a refused client
 * gets a plain 401/403 and never a socket.
 */
export async function wsRoutes(app: FastifyInstance, { hub }: { hub: LiveHub }) {
  app.get('/ws/customers/:id', {
    websocket: true,
    schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), querystring: Type.Object({ token: Type.Optional(Type.String()) }) },
    preValidation: async (req) => {
      const { id } = req.params as { id: string }
      requireCustomerAccess(req, id)
    },
  }, (socket, req) => {
    const { id } = req.params as { id: string }
    const unsubscribe = hub.subscribe(id, (event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event))
    })
    socket.send(JSON.stringify({ type: 'live:connected', customerId: id, at: new Date().toISOString() }))
    socket.on('close', unsubscribe)
  })
}
