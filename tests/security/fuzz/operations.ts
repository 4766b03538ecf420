/**
 * The operations the fuzzer drives, read from the platform's own OpenAPI document (`/docs/json`),
 * so a new route is fuzzed the day it is declared.
 */

export interface Operation {
  method: string
  /** OpenAPI path template, e.g. `/customers/{id}/audit`. */
  path: string
  pathParams: string[]
  queryParams: string[]
  hasBody: boolean
}

interface OpenApiOperation {
  parameters?: { name: string; in: string }[]
  requestBody?: unknown
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/**
 * Operations whose success would take the fuzzer's own credentials away (logout revokes every
 * token of the user), making the rest of the run a test of 401s. They are covered by their own tests.
 */
export const SELF_REVOKING = new Set(['POST /auth/logout'])

export function operationsOf(doc: { paths: Record<string, Partial<Record<(typeof METHODS)[number], OpenApiOperation>>> }): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m]
      if (!op || SELF_REVOKING.has(`${m.toUpperCase()} ${path}`)) continue
      const params = op.parameters ?? []
      out.push({
        method: m.toUpperCase(), path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: op.requestBody !== undefined,
      })
    }
  }
  return out
}
