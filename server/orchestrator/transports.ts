/**
 * The two ways an agent worker reaches the orchestrator: directly through the store (agents
 * running inside the platform process) and over HTTP with a platform agent token (agent processes,
 * `optiinfra agent <type> --server URL --token oia_…`). Both end in the same store functions.
 */
import type { Catalog } from '../cloud/catalog/catalog.ts'
import type { Deps } from '../deps.ts'
import { TASK_CHANNEL } from '../recommendations/analyze.ts'
import { getAgent, insertAgent, markStopped, recordHeartbeat, renewLease } from './store.ts'
import { claimNext, completeTask, workPackage, type ClaimedTask } from './tasks.ts'
import type { AgentTransport } from './worker.ts'

/** Fans one LISTEN out to many in-process workers (each LISTEN would hold a pooled connection). */
export interface WakeHub { subscribe(fn: () => void): () => void }

/** Subscribes once to the task channel and fans wake-ups out to the workers. */
export async function createWakeHub(deps: Pick<Deps, 'db'>): Promise<WakeHub & { close(): Promise<void> }> {
  const subscribers = new Set<() => void>()
  const wakeAll = () => { for (const fn of subscribers) fn() }
  const unlisten = await deps.db.listen(TASK_CHANNEL, wakeAll, wakeAll)
  return {
    subscribe(fn) { subscribers.add(fn); return () => { subscribers.delete(fn) } },
    close: unlisten,
  }
}

/** In-process: store calls, wake-ups from the shared hub. */
export function inProcessTransport(deps: Pick<Deps, 'db' | 'clock' | 'cloud' | 'live'>, catalog: Catalog, wake?: WakeHub): AgentTransport {
  const agentOf = async (id: string) => {
    const a = await getAgent(deps.db, id)
    if (!a) throw new Error(`agent ${id} is not registered`)
    return a
  }
  return {
    async register(info) {
      return (await insertAgent(deps.db, { ...info, mode: 'in_process', token_id: null })).id
    },
    async heartbeat(agentId, hb) {
      const a = await agentOf(agentId)
      await deps.db.tx((tx) => recordHeartbeat(tx, a, { status: hb.status, current_tasks: hb.current_tasks, load: hb.load, customerIds: hb.customer_ids }))
    },
    async claim(agentId, leaseMs) {
      const task = await claimNext(deps, await agentOf(agentId), leaseMs)
      return task ? workPackage(deps, task, catalog) : null
    },
    renew: (agentId, taskId, leaseMs) => renewLease(deps.db, taskId, agentId, leaseMs),
    complete: (agentId, taskId, result) => completeTask(deps, agentId, taskId, result),
    stop: (agentId) => markStopped(deps.db, agentId),
    onWake: async (fn) => {
      const off = wake?.subscribe(fn)
      return async () => { off?.() }
    },
  }
}

/** An HTTP call failed: the status and the orchestrator's error code, if any. */
export class OrchestratorHttpError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string) { super(message) }
}

/** Over HTTP: the orchestrator routes, authenticated with a platform agent token. */
export function httpTransport(server: string, token: string, fetchImpl: typeof fetch = fetch): AgentTransport {
  const base = server.replace(/\/+$/, '')
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetchImpl(`${base}${path}`, {
      method, signal: AbortSignal.timeout(60_000),
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    const parsed = (text ? JSON.parse(text) : null) as T & { code?: string; message?: string }
    if (res.status >= 400 && res.status !== 409) throw new OrchestratorHttpError(res.status, parsed?.code, `${method} ${path}: ${res.status} ${parsed?.message ?? text}`)
    return { status: res.status, body: parsed }
  }
  return {
    async register(info) {
      return (await call<{ agent_id: string }>('POST', '/orchestrator/agents/register', info)).body.agent_id
    },
    async heartbeat(agentId, hb) {
      await call('POST', `/orchestrator/agents/${agentId}/heartbeat`, hb)
    },
    async claim(agentId, leaseMs): Promise<ClaimedTask | null> {
      const claimed = (await call<{ task: ClaimedTask['task'] | null }>('POST', `/orchestrator/agents/${agentId}/tasks/claim`, { lease_ms: leaseMs })).body.task
      if (!claimed) return null
      const pkg = (await call<Omit<ClaimedTask, 'task'>>('GET', `/orchestrator/agents/${agentId}/tasks/${claimed.id}/context`)).body
      return { task: claimed, context: pkg.context, recommendation: pkg.recommendation }
    },
    async renew(agentId, taskId, leaseMs) {
      return (await call<{ renewed: boolean }>('POST', `/orchestrator/agents/${agentId}/tasks/${taskId}/lease`, { lease_ms: leaseMs })).body.renewed === true
    },
    async complete(agentId, taskId, result) {
      const r = await call('POST', `/orchestrator/agents/${agentId}/tasks/${taskId}/result`, { result })
      return r.status === 409 ? 'stale' : 'ok'
    },
    async stop(agentId) {
      await call('POST', `/orchestrator/agents/${agentId}/deregister`, {})
    },
  }
}
