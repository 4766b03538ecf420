/**
 * The part of Prometheus' HTTP API (`/api/v1/query`, `/api/v1/series`) OptiInfra reads: instant
 * vectors and series labels, with the source's headers, a time-out and a size bound. Errors are
 * thrown as PrometheusApiError with Prometheus' own `errorType` and message.
 */
import type { VectorSample } from './promql.ts'

export class PrometheusApiError extends Error {}

/** A query that takes longer than this is a failed poll (Prometheus' own default query time-out is 2 min). */
export const QUERY_TIMEOUT_MS = 10_000
const MAX_BODY_BYTES = 20 * 1_048_576

export interface PrometheusApi {
  query(expr: string, at?: Date): Promise<VectorSample[]>
  series(match: string[], from: Date, to: Date): Promise<Record<string, string>[]>
}

/** A client for one Prometheus at `baseUrl` (its root, e.g. http://prometheus:9090). */
export function prometheusApi(baseUrl: string, headers: Record<string, string> = {}): PrometheusApi {
  const call = async <T>(path: string, params: URLSearchParams): Promise<T> => {
    const url = `${baseUrl.replace(/\/+$/, '')}${path}`
    let res: Response
    try {
      res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: params, signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) })
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } }
      throw new PrometheusApiError(e.name === 'TimeoutError' ? `${path} timed out` : `${path}: ${e.cause?.code ?? e.cause?.message ?? e.message}`)
    }
    const text = await res.text()
    if (text.length > MAX_BODY_BYTES) throw new PrometheusApiError(`${path}: answer larger than ${MAX_BODY_BYTES} bytes`)
    let body: { status?: string; data?: T; errorType?: string; error?: string }
    try { body = JSON.parse(text) } catch { throw new PrometheusApiError(`${path}: HTTP ${res.status}, not a Prometheus API answer`) }
    if (body.status !== 'success') throw new PrometheusApiError(`${path}: HTTP ${res.status} ${body.errorType ?? ''} ${body.error ?? ''}`.trim())
    return body.data as T
  }
  return {
    async query(expr, at) {
      const data = await call<{ resultType: string; result: VectorSample[] }>('/api/v1/query', new URLSearchParams({ query: expr, ...(at ? { time: String(at.getTime() / 1000) } : {}) }))
      if (data.resultType !== 'vector') throw new PrometheusApiError(`query answered a ${data.resultType}, expected a vector`)
      return data.result
    },
    async series(match, from, to) {
      const params = new URLSearchParams({ start: String(from.getTime() / 1000), end: String(to.getTime() / 1000) })
      for (const m of match) params.append('match[]', m)
      return call<Record<string, string>[]>('/api/v1/series', params)
    },
  }
}
