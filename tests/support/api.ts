import { waitFor, type PlatformClient, type TestPlatform } from '../../server/test/platform.ts'

/** Seed 001's WaitHelper over HTTP only: poll with a deadline, never a fixed sleep. */
export function waits(p: PlatformClient, token: string) {
  return {
    recommendation: (customerId: string, pred: (r: any) => boolean, timeoutMs = 60_000) =>
      waitFor(async () => {
        const res = await p.http<any[]>('GET', `/customers/${customerId}/recommendations`, { token })
        return res.status === 200 ? res.body.find(pred) : undefined
      }, { timeoutMs, what: 'recommendation' }),
    optimizationDone: (id: string, timeoutMs = 90_000) =>
      waitFor(async () => {
        const res = await p.http('GET', `/optimizations/${id}`, { token })
        // paused waits for a human: stop waiting so the test fails with the reason instead of timing out
        return ['completed', 'failed', 'rolled_back', 'paused'].includes(res.body?.status) ? res.body : undefined
      }, { timeoutMs, what: `optimization ${id} to finish` }),
    optimizationStatus: (id: string, statuses: string[], timeoutMs = 90_000) =>
      waitFor(async () => {
        const res = await p.http('GET', `/optimizations/${id}`, { token })
        return statuses.includes(res.body?.status) ? res.body : undefined
      }, { timeoutMs, what: `optimization ${id} in ${statuses.join('/')}` }),
  }
}

/** The last point of a metric series. */
export async function lastMetric(p: TestPlatform, token: string, customerId: string, type: string, query = ''): Promise<number> {
  const res = await p.http<{ timestamp: string; value: number }[]>('GET', `/customers/${customerId}/metrics?metric_type=${type}${query}`, { token })
  if (res.status !== 200 || !res.body.length) throw new Error(`no ${type} points: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`)
  return res.body[res.body.length - 1]!.value
}

/**
 * Approves as a user does: approving again when re-validation changed the figures, or once a
 * re-analysis that restarted its validation (the platform's own discovery analyses run beside the
 * test) has validated it again; the answer otherwise.
 */
export async function approve(p: TestPlatform, token: string, id: string) {
  let res = await p.http('POST', `/recommendations/${id}/approve`, { token })
  if (res.status === 409 && res.body.code === 'OPT_RECOMMENDATION_NOT_VALIDATED') {
    await waitFor(async () => (await p.http<any>('GET', `/recommendations/${id}`, { token })).body?.validation_status !== 'validating' || undefined, { timeoutMs: 60_000, what: `recommendation ${id} validated again` })
    res = await p.http('POST', `/recommendations/${id}/approve`, { token })
  }
  if (res.status === 409 && res.body.code === 'OPT_RECOMMENDATION_CHANGED') res = await p.http('POST', `/recommendations/${id}/approve`, { token })
  return res
}

/** Starts analyses by the given agents and waits until every analysis of the customer has ended; answers the ones it started. */
async function analyzeOnce(p: TestPlatform, token: string, customerId: string, agentTypes: string[]): Promise<any[]> {
  const ids: string[] = []
  for (const agent_type of agentTypes) {
    const res = await p.http('POST', `/customers/${customerId}/analyze`, { token, body: { agent_type } })
    if (res.status >= 300) throw new Error(`analyze ${agent_type}: ${res.status} ${JSON.stringify(res.body)}`)
    ids.push(res.body.analysis_id)
  }
  return waitFor(async () => {
    const list = (await p.http<any[]>('GET', `/customers/${customerId}/analyses`, { token })).body
    return list.every((a) => a.status === 'completed' || a.status === 'failed') ? list.filter((a) => ids.includes(a.id)) : undefined
  }, { timeoutMs: 60_000, what: 'analyses to finish' })
}

/**
 * Analyzes as the scheduled re-analysis would: where an analysis left a deployment alone because
 * it was settling after a change, waits on the platform's clock until the time it named, and
 * analyzes again.
 */
export async function analyzeSettled(p: TestPlatform, token: string, customerId: string, agentTypes: string[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const done = await analyzeOnce(p, token, customerId, agentTypes)
    const untils: (string | null)[] = done.flatMap((a) => Object.values(a.results ?? {})).flatMap((r: any) => Object.values(r?.settling ?? {}))
    if (untils.length === 0) return
    // a change still rolling out names no time: wait a fleet minute and look again
    const until = Math.max(...untils.map((u) => (u ? Date.parse(u) : p.deps.clock.now().getTime() + 60_000)))
    await waitFor(async () => p.deps.clock.now().getTime() >= until || undefined, { timeoutMs: 60_000, what: 'the deployment to settle' })
  }
}
