import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Where `npm run build:portal` puts the SPA. */
export const PORTAL_DIST = fileURLToPath(new URL('../../portal/dist/', import.meta.url))

/**
 * Serves the built portal at `/`. Its client-side routes live under `/app/` so they can never
 * shadow an API path (`/recommendations/{id}` is the API's; `/app/recommendations/{id}` the page's).
 */
export async function portalRoutes(app: FastifyInstance) {
  if (!existsSync(PORTAL_DIST)) return
  await app.register(fastifyStatic, {
    root: PORTAL_DIST, prefix: '/', wildcard: false, index: ['index.html'], preCompressed: true,
    // hashed asset names never change content: let browsers keep them; index.html is always revalidated
    setHeaders: (res, file) => { res.setHeader('cache-control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache') },
  })
  app.get('/app', { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'))
  app.get('/app/*', { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'))
}
