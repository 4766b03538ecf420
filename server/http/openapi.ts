import type { FastifyInstance, RouteOptions } from 'fastify'
import { errorResponses } from '../../api/common.ts'

// Verbs of generated summaries: what each method does to the resource its path names.
const VERBS: Record<string, string> = { GET: 'Read', POST: 'Submit', PUT: 'Replace', PATCH: 'Update', DELETE: 'Delete' }

interface RouteSchema { operationId?: string; summary?: string; description?: string; tags?: string[]; hide?: boolean; response?: Record<string, unknown> }

/** `getCustomersIdAudit` for GET /customers/:id/audit: unique, since a method and path name one route. */
export function operationIdOf(method: string, url: string): string {
  const words = url.split(/[^A-Za-z0-9]+/).filter(Boolean)
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

/** A summary from the route's description, or from its method and the path's resource words. */
export function summaryOf(method: string, url: string, description?: string): string {
  const first = description?.split(/(?<=\.)\s/)[0]?.trim()
  if (first) return first.length > 120 ? `${first.slice(0, 117)}…` : first
  const nouns = url.split('/').filter((s) => s && !s.startsWith(':') && !s.startsWith('{')).map((s) => s.replace(/[-_]/g, ' '))
  return `${VERBS[method] ?? method} ${nouns.join(' › ') || 'root'}`
}

/**
 * Completes every documented operation where its route left a gap: an `operationId`, a summary, a
 * tag (the first path segment) and the catalog's error answers when the route declares no 4xx —
 * so the OpenAPI document names, groups and explains every operation.
 */
export function installOpenApiDefaults(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat().filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
    if (methods.length !== 1 || !route.url) return
    const schema = (route.schema ?? {}) as RouteSchema
    if (schema.hide) return
    const method = methods[0]!
    const response = schema.response ?? {}
    const hasErrors = Object.keys(response).some((code) => /^[45]/.test(code))
    route.schema = {
      ...schema,
      operationId: schema.operationId ?? operationIdOf(method, route.url),
      summary: schema.summary ?? summaryOf(method, route.url, schema.description),
      tags: schema.tags?.length ? schema.tags : [route.url.split('/').filter(Boolean)[0] ?? 'platform'],
      response: hasErrors ? response : { ...response, ...errorResponses },
    }
  })
}
