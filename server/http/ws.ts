import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { requireCustomerAccess } from './auth.ts'
import type { LiveHub } from './live.ts'
import { AUTH_EVENTS_CHANNEL, REVOKED_EVENT } from '../auth/users.ts'

/** WebSocket close code for a revoked session (4000–4999 are the application's; 4401 reads as 401). */
export const WS_CLOSE_REVOKED = 4401

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
    const userId = req.principal?.kind === 'user' ? req.principal.userId : null
    const unsubscribe = hub.subscribe(id, (event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event))
    })
    // a session opened with a token that is later revoked (logout, disabled, deleted) ends too
    const unwatch = hub.subscribe(AUTH_EVENTS_CHANNEL, (event) => {
      if (event.type === REVOKED_EVENT && event.data?.userId === userId) socket.close(WS_CLOSE_REVOKED, 'token revoked')
    })
    socket.send(JSON.stringify({ type: 'live:connected', customerId: id, at: new Date().toISOString() }))
    socket.on('close', () => { unsubscribe(); unwatch() })
  })
}
