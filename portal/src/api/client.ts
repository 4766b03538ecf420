import { clearSession, getSession } from './session.ts'
import type { ApiErrorBody } from './types.ts'

/**
 * A failed API call: the server's `{code, message, requestId}` plus the HTTP status. Status 0 means
 * the server could not be reached at all.
 */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly requestId?: string
  constructor(status: number, body: ApiErrorBody) {
    super(body.message)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code
    this.requestId = body.requestId
  }
}

/** Query-string values; undefined and empty values are left out. */
export type Query = Record<string, string | number | undefined | null>

declare global {
  interface Window { __optiinfraPrefetch?: { path: string; response: Promise<{ status: number; body: unknown } | null>; settled?: { status: number; body: unknown } | null } }
}

/**
 * The answer of a request `public/prefetch.js` started before the app loaded, if it was for this path and
 * succeeded; used once. Failures fall back to a normal request (which handles errors fully).
 */
export async function takePrefetch<T>(path: string): Promise<T | undefined> {
  const p = window.__optiinfraPrefetch
  if (!p || p.path !== path) return undefined
  window.__optiinfraPrefetch = undefined
  const r = await p.response
  return r && r.status === 200 ? (r.body as T) : undefined
}

/** The prefetched answer for `path` if it has already arrived (and succeeded); taken once. */
export function peekPrefetch<T>(path: string): T | undefined {
  const p = window.__optiinfraPrefetch
  if (!p || p.path !== path || !p.settled || p.settled.status !== 200) return undefined
  window.__optiinfraPrefetch = undefined
  return p.settled.body as T
}

/** Options of one call. */
export interface RequestOptions { body?: unknown; query?: Query; signal?: AbortSignal; anonymous?: boolean }

/** Builds `path?query` with every value encoded. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

/**
 * Calls the API on the same origin with the session's bearer token. A 401 on an authenticated
 * call ends the session (the token expired or was revoked), which sends the user to the login page.
 */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const session = opts.anonymous ? null : getSession()
  const headers: Record<string, string> = { accept: 'application/json' }
  if (session) headers.authorization = `Bearer ${session.token}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, { code: 'NETWORK', message: 'Cannot reach the OptiInfra server. Check your connection and try again.' })
  }
  const text = await res.text()
  const body = parseJson(text)
  if (!res.ok) {
    if (res.status === 401 && session) clearSession()
    throw new ApiError(res.status, errorBody(res.status, body))
  }
  return body as T
}

function parseJson(text: string): unknown {
  if (!text) return null
  try { return JSON.parse(text) } catch { return text }
}

function errorBody(status: number, body: unknown): ApiErrorBody {
  if (body && typeof body === 'object' && 'message' in body) {
    const b = body as Partial<ApiErrorBody>
    return { code: String(b.code ?? `HTTP_${status}`), message: String(b.message), requestId: b.requestId }
  }
  return { code: `HTTP_${status}`, message: status === 404 ? 'Not found.' : `The server answered ${status}.` }
}
