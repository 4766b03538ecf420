/**
 * The fuzz run: hostile requests over every operation of the OpenAPI document with every kind of
 * token, each checked for no 5xx, the error shape on every 4xx, and no write behind a refusal.
 */
import fc from 'fast-check'
import type { Db } from '../../../server/db/db.ts'
import { requestFor, type FuzzContext, type FuzzRequest } from './arbitraries.ts'
import { operationsOf, type Operation } from './operations.ts'

export interface FuzzSummary {
  requests: number
  operations: number
  operationsCovered: number
  byStatus: Record<string, number>
  serverErrors: { request: FuzzRequest; status: number; body: string }[]
  badShapes: { request: FuzzRequest; status: number; body: string }[]
  partialWrites: { request: FuzzRequest; status: number }[]
}

// Row counts of the tables a write touches; a refused request must leave every one unchanged.
const TABLES = ['customers', 'users', 'access_tokens', 'audit_log', 'recommendations', 'workflow_runs', 'telemetry_batches', 'telemetry_series', 'agents', 'agent_tasks', 'sim_deployments', 'sim_instances', 'sim_faults', 'customer_onboarding', 'conflict_resolutions', 'outcomes', 'bill_imports', 'bill_lines', 'telemetry_sources']
const FINGERPRINT = `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(' || \',\' || ')} AS f`

async function fingerprint(db: Db): Promise<string> {
  return (await db.query<{ f: string }>(FINGERPRINT))[0]!.f
}

function hasErrorShape(text: string): boolean {
  try {
    const b = JSON.parse(text) as Record<string, unknown>
    return typeof b.code === 'string' && typeof b.message === 'string' && typeof b.requestId === 'string'
  } catch { return false }
}

/**
 * A 503 that reports a state, not a failure: readiness while workers are off, or a simulated group
 * with no running instance (`OPT_UNAVAILABLE`, what a vLLM behind a load balancer answers then).
 */
function expectedUnavailable(op: Operation, status: number, text: string): boolean {
  if (status !== 503) return false
  if (op.method === 'GET' && (op.path === '/ready' || op.path === '/health')) return true
  try { return (JSON.parse(text) as { code?: string }).code === 'OPT_UNAVAILABLE' } catch { return false }
}

async function send(base: string, r: FuzzRequest): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {}
  if (r.authorization !== undefined) headers.authorization = r.authorization
  if (r.contentType) headers['content-type'] = r.contentType
  const res = await fetch(base + r.url, { method: r.method, headers, body: r.body })
  return { status: res.status, text: await res.text() }
}

/** Runs `runs` seeded requests against a started platform whose store is `db` (no background workers). */
export async function runFuzz(base: string, db: Db, ctx: FuzzContext, opts: { runs: number; seed: number }): Promise<FuzzSummary> {
  const doc = await (await fetch(`${base}/docs/json`)).json() as Parameters<typeof operationsOf>[0]
  const ops = operationsOf(doc)
  const covered = new Set<string>()
  const s: FuzzSummary = { requests: 0, operations: ops.length, operationsCovered: 0, byStatus: {}, serverErrors: [], badShapes: [], partialWrites: [] }
  const arb = fc.constantFrom(...ops).chain((op: Operation) => requestFor(op, ctx).map((r) => ({ op, r })))
  await fc.assert(fc.asyncProperty(arb, async ({ op, r }) => {
    const before = await fingerprint(db)
    const { status, text } = await send(base, r)
    s.requests++
    covered.add(`${op.method} ${op.path}`)
    s.byStatus[String(status)] = (s.byStatus[String(status)] ?? 0) + 1
    if (status >= 500 && !expectedUnavailable(op, status, text)) s.serverErrors.push({ request: r, status, body: text.slice(0, 300) })
    const refused = status >= 400 && status < 500
    if (refused && !hasErrorShape(text)) s.badShapes.push({ request: r, status, body: text.slice(0, 300) })
    else if (refused && (await fingerprint(db)) !== before) s.partialWrites.push({ request: r, status })
  }), { numRuns: opts.runs, seed: opts.seed, endOnFailure: true })
  s.operationsCovered = covered.size
  return s
}
