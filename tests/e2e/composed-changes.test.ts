/**
 * Issue 10 "Done when", through the HTTP API on a started server with fleets registered through the
 * API: changes applied one after another compose (the desired spec keeps every effect, an older
 * recommendation is superseded or rebased, never undoes a newer change), a customer constraint set
 * after a recommendation still holds at approval, potential savings never exceed current spend, and
 * a conflict resolution never executes two alternatives of one group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { phaseLog } from '../support/phases.ts'
import { analyzeSettled, approve, waits } from '../support/api.ts'

/** An 8B model on on-demand L40S boxes: spot and reserved pricing save money, FP8 and batching speed it up. */
const fleet = (suffix: string, n = 2, load: { rps: number; prompt: number; output: number; utilization?: number } = { rps: 12, prompt: 512, output: 128 }) => ({
  instances: Array.from({ length: n }, (_, i) => ({ instance_id: `i-cmp-${suffix}-${i}`, instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1, ...(load.utilization ? { utilization: load.utilization } : {}) })),
  vllm_deployments: [{ deployment_id: `chat-${suffix}`, model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: Array.from({ length: n }, (_, i) => `i-cmp-${suffix}-${i}`), requests_per_second: load.rps, prompt_tokens: load.prompt, output_tokens: load.output }],
})

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

async function register(suffix: string, n = 2, load?: Parameters<typeof fleet>[2]) {
  const c = await p.newCustomer(`Composed ${suffix}`)
  expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet(suffix, n, load) })).status).toBe(201)
  return c
}

async function deploymentView(customerId: string, token: string, deploymentId: string) {
  const infra = (await p.http('GET', `/customers/${customerId}/infrastructure`, { token })).body
  return { dep: infra.vllm_deployments.find((d: any) => d.deployment_id === deploymentId), instances: infra.instances as any[] }
}

/** Starts analyses and waits for them to finish (past any settling after a change), so the recommendations listed next are the refreshed ones. */
const analyze = (customerId: string, token: string, agentTypes: string[]) => analyzeSettled(p, token, customerId, agentTypes)

/** Validated pending recommendations of a deployment (polls until at least one). */
async function validated(customerId: string, token: string, deploymentId: string, pred: (r: any) => boolean = () => true, timeoutMs = 60_000): Promise<any[]> {
  return waitFor(async () => {
    const list = (await p.http<any[]>('GET', `/customers/${customerId}/recommendations?status=pending&deployment_id=${deploymentId}`, { token })).body
    const ok = list.filter((r) => r.validation_status === 'validated' && pred(r))
    return ok.length ? ok : undefined
  }, { timeoutMs, what: `validated recommendations for ${deploymentId}` })
}


/** What a completed change set, as desired-spec field → value. */
function effectsOf(plan: any, touches: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of touches) {
    if (f === 'pools') out.pools = JSON.stringify([...plan.pools].map((x: any) => `${x.instanceType}|${x.pricing}|${x.count}`).sort())
    else if (f.startsWith('engine.')) out[f] = plan.config[f.slice('engine.'.length)]
  }
  return out
}

function specValue(spec: any, field: string): unknown {
  if (field === 'pools') return JSON.stringify([...spec.pools].map((x: any) => `${x.instanceType}|${x.pricing}|${x.count}`).sort())
  return spec.engine[field.slice('engine.'.length)]
}

/** What approving a recommendation came to. */
type Approval = 'applied' | 'revalidating' | 'refused' | 'not_completed'

/** Approves, waits for the change, and checks the generation and that every effect so far (kept in `effects`) is in the desired spec. */
async function approveAndCheck(c: { customerId: string; token: string }, depId: string, rec: any, effects: Record<string, unknown>, log: ReturnType<typeof phaseLog>): Promise<Approval> {
  const genBefore = (await deploymentView(c.customerId, c.token, depId)).dep.generation
  const res = await approve(p, c.token, rec.id)
  // a re-analysis between listing and approving refreshes the recommendation and restarts its
  // validation: it stays a candidate and is approved once validated again
  if (res.status === 409 && res.body.code === 'OPT_RECOMMENDATION_NOT_VALIDATED') { log.info(`${rec.type}: re-validating, retried later`); return 'revalidating' }
  if (res.status !== 200) { log.info(`${rec.type}: ${res.status} ${res.body.code} ${res.body.message}`); expect(res.status).toBe(409); return 'refused' }
  const opt = await waits(p, c.token).optimizationDone(res.body.optimization_id, 180_000)
  if (opt.status !== 'completed') { log.info(`${rec.type}: ${opt.status} (${opt.abort_reason ?? opt.pause_reason ?? ''})`); return 'not_completed' }
  const after = (await p.http('GET', `/recommendations/${rec.id}`, { token: c.token })).body
  const { dep } = await deploymentView(c.customerId, c.token, depId)
  expect(dep.generation).toBe(genBefore + 1)
  Object.assign(effects, effectsOf(after.plan, after.touches))
  for (const [field, value] of Object.entries(effects)) expect(specValue(dep.desired, field), `${field} after ${rec.type}`).toEqual(value)
  log.ok(`generation ${dep.generation}: ${rec.type} (${after.touches.join(', ')}; computed on generation ${rec.base_generation}, executed on ${after.base_generation})`)
  return 'applied'
}

describe('e2e: changes compose on a versioned desired state (issue 10)', () => {
  it('applies five agent-proposed changes one after another (the last under a load surge): generations count them, the desired spec keeps every effect, older recommendations never undo newer changes @slow', async () => {
    const log = phaseLog('COMPOSED CHANGES')
    // six boxes for a load two can carry: room for a consolidation after the spot move
    const { customerId, token } = await register('seq', 6)
    const depId = 'chat-seq'
    const start = (await deploymentView(customerId, token, depId)).dep
    expect(start.generation).toBe(1)
    expect(start.desired.pools).toEqual([{ cloud: 'aws', region: 'us-east-1', instanceType: 'g6e.xlarge', pricing: 'on-demand', count: 6 }])
    expect(start.observed.instances).toHaveLength(6)
    

    await analyze(customerId, token, ['cost', 'performance'])
    await validated(customerId, token, depId, (r) => r.agent_type === 'performance')
    const older = await validated(customerId, token, depId, (r) => r.type === 'spot_migration')
      .then(async () => (await p.http<any[]>('GET', `/customers/${customerId}/recommendations?status=pending&deployment_id=${depId}`, { token })).body.filter((r) => r.validation_status === 'validated'))
    log.info(`computed on generation 1: ${older.map((r) => `${r.type} (${r.touches.join('+')}, group ${r.exclusive_group})`).join(', ')}`)

    const effects: Record<string, unknown> = {}
    const done: string[] = []
    const applyChange = async (rec: any): Promise<boolean> => {
      const r = await approveAndCheck({ customerId, token }, depId, rec, effects, log)
      if (r !== 'revalidating') done.push(rec.id)
      return r === 'applied'
    }

    log.phase('First change: spot')
    const spot = older.find((r) => r.type === 'spot_migration')!
    expect(await applyChange(spot)).toBe(true)

    log.phase('Older recommendations, computed before that change')
    for (const rec of older.filter((r) => r.id !== spot.id)) {
      const sameGroup = rec.exclusive_group === spot.exclusive_group
      const res = sameGroup ? await p.http('POST', `/recommendations/${rec.id}/approve`, { token }) : null
      if (res) {
        // an alternative of the executed change: superseded, with the reason on the recommendation
        expect(res.status).toBe(409)
        expect(res.body.code).toBe('OPT_RECOMMENDATION_SUPERSEDED')
        const now = (await p.http('GET', `/recommendations/${rec.id}`, { token })).body
        expect(now.status).toBe('superseded')
        log.ok(`${rec.type}: 409 superseded (${now.reject_reason})`)
        done.push(rec.id)
        continue
      }
      // another field: rebased onto the current spec and executed with the spot pools intact
      if (await applyChange(rec)) expect(specValue((await deploymentView(customerId, token, depId)).dep.desired, 'pools')).toEqual(effects.pools)
    }

    log.phase('Further changes, each approved after the previous completed')
    for (let step = 0; step < 5 && (await deploymentView(customerId, token, depId)).dep.generation < 5; step++) {
      await analyze(customerId, token, ['performance', 'cost', 'resource'])
      const candidates = await validated(customerId, token, depId, (r) => !done.includes(r.id), 20_000).catch(() => [])
      log.info(`candidates: ${candidates.map((r) => `${r.type} ${r.plan.summary ?? ''}`).join('; ')}`)
      const rec = candidates.sort((a, b) => b.estimated_savings - a.estimated_savings)[0]
      if (!rec) break
      await applyChange(rec)
    }
    const beforeSurge = (await deploymentView(customerId, token, depId)).dep.generation
    log.phase('A load swing: the offered load quadruples')
    const surge = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: customerId, deployment_id: depId, target: 'all', kind: 'traffic_surge', magnitude: 4 } })
    expect(surge.status).toBe(201)
    // the agents see the surge once telemetry of it is in their window: analyze until the scale-out is proposed, then let it be validated
    await waitFor(async () => {
      await analyze(customerId, token, ['resource'])
      const list = (await p.http<any[]>('GET', `/customers/${customerId}/recommendations?status=pending&deployment_id=${depId}&include_validating=true`, { token })).body
      return list.some((r) => r.type === 'autoscaling')
    }, { timeoutMs: 120_000, intervalMs: 1_000, what: 'a scale-out proposed under the surge' })
    const [scaleOut] = await validated(customerId, token, depId, (r) => r.type === 'autoscaling', 120_000)
    log.info(`under the surge: ${scaleOut.plan.summary} (${scaleOut.evidence.signals.join('; ')})`)
    expect(await applyChange(scaleOut)).toBe(true)
    expect((await p.http('DELETE', `/admin/simulator/faults/${surge.body.id}`, { token: p.adminToken })).status).toBe(200)

    const final = (await deploymentView(customerId, token, depId)).dep
    log.info(`final generation ${final.generation}; effects ${JSON.stringify(effects)}`)
    // five changes: spot, FP8, consolidation of the spot pools, right-sizing, and a scale-out under the surge
    expect(final.generation).toBe(beforeSurge + 1)
    expect(final.generation).toBeGreaterThanOrEqual(6)
    expect(final.desired.pools.every((x: any) => x.pricing === 'spot')).toBe(true)
    for (const [field, value] of Object.entries(effects)) expect(specValue(final.desired, field), field).toEqual(value)
    // the fleet runs what the desired spec says
    expect(final.observed.in_sync).toBe(true)
    for (const f of Object.keys(effects).filter((k) => k.startsWith('engine.'))) expect(final.observed.engine[f.slice(7)]).toEqual(final.desired.engine[f.slice(7)])
    log.passed()
  }, 600_000)

  it('an approval after the customer forbade spot for the deployment answers 4xx and launches no spot instance', async () => {
    const { customerId, token } = await register('nospot')
    await analyze(customerId, token, ['cost'])
    const [spot] = await validated(customerId, token, 'chat-nospot', (r) => r.plan.pools.some((x: any) => x.pricing === 'spot'))
    const patch = await p.http('PATCH', `/customers/${customerId}`, { token, body: { preferences: { deployment_constraints: { 'chat-nospot': { never_spot: true } } } } })
    expect(patch.status).toBe(200)
    const res = await p.http('POST', `/recommendations/${spot.id}/approve`, { token })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('OPT_CONSTRAINT_VIOLATED')
    expect(res.body.message).toMatch(/never wants spot/)
    const { dep, instances } = await deploymentView(customerId, token, 'chat-nospot')
    expect(instances.filter((i) => i.pricing === 'spot')).toEqual([])
    expect(dep.desired.constraints).toEqual({ never_spot: true })
    expect(dep.generation).toBe(1)
  }, 120_000)

  it('counts at most the best alternative of each group as potential savings, never more than current spend, and a resolution executes one alternative per group', async () => {
    const { customerId, token } = await register('alt', 4)
    await analyze(customerId, token, ['cost', 'performance', 'resource'])
    const recs = await validated(customerId, token, 'chat-alt')
    const dash = (await p.http('GET', `/portal/customers/${customerId}/dashboard`, { token })).body
    expect(dash.potential_savings).toBeLessThanOrEqual(dash.current_spend)
    const best = new Map<string, number>()
    for (const r of dash.recommendations.filter((x: any) => x.validated)) {
      const group = recs.find((x) => x.id === r.id)?.exclusive_group ?? r.id
      best.set(group, Math.max(best.get(group) ?? 0, r.estimated_savings))
    }
    expect(dash.potential_savings).toBeLessThanOrEqual(Math.round([...best.values()].reduce((s, v) => s + Math.max(0, v), 0) * 100) / 100 + 0.01)

    const ids = recs.map((r) => r.id)
    console.log(`alternatives: ${recs.map((r) => `${r.type} ${r.exclusive_group}`).join(', ')}; potential ${dash.potential_savings} of ${dash.current_spend}`)
    if (ids.length < 2) return
    const res = (await p.http('POST', '/orchestrator/resolve-conflict', { token, body: { customer_id: customerId, recommendation_ids: ids } })).body
    const order: string[] = res.execution_order ?? [res.chosen_recommendation].filter(Boolean)
    const groups = order.map((id) => recs.find((r) => r.id === id)?.exclusive_group).filter(Boolean)
    expect(new Set(groups).size).toBe(groups.length)
    const exec = await p.http('POST', '/orchestrator/execute-resolution', { token, body: { resolution_id: res.id } })
    expect(exec.status, JSON.stringify(exec.body)).toBe(200)
    const after = (await p.http<any[]>('GET', `/customers/${customerId}/recommendations?deployment_id=chat-alt`, { token })).body
    const executing = after.filter((r) => ['approved', 'executing', 'completed'].includes(r.status))
    const executedGroups = executing.map((r) => r.exclusive_group)
    expect(new Set(executedGroups).size).toBe(executedGroups.length)
    await Promise.all((exec.body.optimization_ids as string[]).map((id) => waits(p, token).optimizationDone(id, 180_000)))
  }, 300_000)
})
