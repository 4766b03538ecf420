import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { phaseLog, usd } from '../support/phases.ts'
import { waits } from '../support/api.ts'

/** An 8B model on two on-demand L40S boxes: spot would save (cost) and FP8 would speed it up (performance). */
const l40sFleet = (suffix: string) => ({
  instances: [1, 2].map((n) => ({ instance_id: `i-l40s-${suffix}-${n}`, instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1 })),
  vllm_deployments: [{ deployment_id: `chat-${suffix}`, model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: [1, 2].map((n) => `i-l40s-${suffix}-${n}`), requests_per_second: 12, prompt_tokens: 512, output_tokens: 128 }],
})

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

async function costAndPerf(customerId: string, token: string, deploymentId: string) {
  await p.http('POST', `/customers/${customerId}/analyze`, { token, body: { agent_type: 'cost' } })
  await p.http('POST', `/customers/${customerId}/analyze`, { token, body: { agent_type: 'performance' } })
  const w = waits(p, token)
  // resolutions execute through approval, which only takes cross-validated recommendations
  const cost = await w.recommendation(customerId, (r) => r.agent_type === 'cost' && r.type === 'spot_migration' && r.deployment_id === deploymentId && r.validation_status === 'validated')
  const perf = await w.recommendation(customerId, (r) => r.agent_type === 'performance' && r.deployment_id === deploymentId && r.validation_status === 'validated')
  return { cost, perf }
}

/**
 * Executes a resolution as a user would: at ×600 a re-analysis can refresh a recommendation's plan
 * (spot prices move) and its validators answer again; approval answers 409 meanwhile, so try again.
 */
async function execute(token: string, resolutionId: string) {
  const res = await waitFor(async () => {
    const r = await p.http('POST', '/orchestrator/execute-resolution', { token, body: { resolution_id: resolutionId } })
    return r.status === 409 && /still being validated/.test(r.body.message) ? undefined : r
  }, { timeoutMs: 60_000, what: `resolution ${resolutionId} to execute` })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

describe('e2e: scenarios 3, 7 and 8', () => {
  it('test_multi_agent_conflict_resolution @p0 @slow', async () => {
    const log = phaseLog('MULTI-AGENT CONFLICT RESOLUTION')
    const { customerId, token } = await p.newCustomer('Conflict Corp')
    await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: l40sFleet('a') })
    log.phase('Cost and performance analyses')
    const { cost, perf } = await costAndPerf(customerId, token, 'chat-a')
    log.info(`Cost: ${cost.title} (${usd(cost.estimated_savings)}/mo); performance: ${perf.title}`)

    log.phase('Orchestrator resolves the conflict')
    const res = await p.http('POST', '/orchestrator/resolve-conflict', { token, body: { customer_id: customerId, recommendation_ids: [cost.id, perf.id] } })
    expect(res.status).toBe(200)
    expect(res.body.conflict_detected).toBe(true)
    expect(['prioritize_customer', 'negotiate_hybrid', 'sequential_execution']).toContain(res.body.resolution_strategy)
    if (res.body.resolution_strategy === 'negotiate_hybrid') expect(res.body.hybrid_solution).toBeTruthy()
    if (res.body.resolution_strategy === 'sequential_execution') expect(res.body.execution_order).toHaveLength(2)
    if (res.body.resolution_strategy === 'prioritize_customer') expect(res.body.chosen_recommendation).toBeTruthy()
    log.ok(`Strategy ${res.body.resolution_strategy}: ${res.body.rationale}`)

    log.phase('Executing the resolution')
    const exec = await execute(token, res.body.id)
    const opt = await waits(p, token).optimizationDone(exec.optimization_id, 120_000)
    expect(opt.status, JSON.stringify(opt.result)).toBe('completed')

    log.phase('All agents notified')
    const events = (await p.http<any[]>('GET', `/customers/${customerId}/agent-events?event_type=resolution_executed`, { token })).body
    const types = new Set(events.map((e) => e.agent_type))
    for (const t of ['cost', 'performance', 'orchestrator']) expect(types.has(t), t).toBe(true)
    log.ok(`Notified: ${[...types].join(', ')}`)
    log.passed()
  })

  it('test_priority_based_conflict_resolution @p1 @slow', async () => {
    const log = phaseLog('PRIORITY-BASED CONFLICT RESOLUTION')
    const { customerId, token } = await p.newCustomer('Priority Corp')
    await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: l40sFleet('b') })
    await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: l40sFleet('c') })
    const b = await costAndPerf(customerId, token, 'chat-b')
    const c = await costAndPerf(customerId, token, 'chat-c')

    log.phase('Customer preference outranks cost: no spot for chat-b')
    await p.http('PATCH', `/customers/${customerId}`, { token, body: { preferences: { never_spot_deployments: ['chat-b'] } } })
    const pref = (await p.http('POST', '/orchestrator/resolve-conflict', { token, body: { customer_id: customerId, recommendation_ids: [b.cost.id, b.perf.id] } })).body
    expect(pref.conflict_detected).toBe(true)
    expect(pref.resolution_strategy).toBe('prioritize_customer')
    const chosen = pref.chosen_recommendation?.id ?? pref.chosen_recommendation
    expect(chosen).toBe(b.perf.id)
    log.ok(`prioritize_customer → ${b.perf.type}: ${pref.rationale}`)

    log.phase('Disjoint deployments do not conflict and run in parallel')
    const disjoint = (await p.http('POST', '/orchestrator/resolve-conflict', { token, body: { customer_id: customerId, recommendation_ids: [b.perf.id, c.cost.id] } })).body
    expect(disjoint.conflict_detected).toBe(false)
    const exec = await execute(token, disjoint.id)
    const ids: string[] = exec.optimization_ids ?? [exec.optimization_id]
    expect(ids.length).toBe(2)
    const done = await Promise.all(ids.map((id) => waits(p, token).optimizationDone(id, 120_000)))
    expect(done.map((o) => o.status)).toEqual(['completed', 'completed'])
    const [s0, s1] = done.map((o) => [Date.parse(o.started_at), Date.parse(o.completed_at)])
    expect(s0![0]! < s1![1]! && s1![0]! < s0![1]!).toBe(true)
    log.ok('both completed, overlapping in time')

    log.phase('Same deployment, no preference: performance before cost')
    // approving chat-c's spot change superseded its other capacity alternatives (one exclusive group): a fresh deployment
    await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: l40sFleet('d') })
    const d = await costAndPerf(customerId, token, 'chat-d')
    const seq = (await p.http('POST', '/orchestrator/resolve-conflict', { token, body: { customer_id: customerId, recommendation_ids: [d.perf.id, d.cost.id] } })).body
    expect(seq.conflict_detected).toBe(true)
    if (seq.resolution_strategy === 'sequential_execution') expect(seq.execution_order[0]).toBe(d.perf.id)
    log.ok(`${seq.resolution_strategy}: ${seq.rationale}`)
    log.passed()
  })

  it('test_cross_cloud_optimization @p1 @slow', async () => {
    const log = phaseLog('CROSS-CLOUD OPTIMIZATION')
    const { customerId, token } = await p.newCustomer('Multi Cloud Corp')
    const fleet = {
      instances: [1, 2].map((n) => ({ instance_id: `gce-a2-${n}`, instance_type: 'a2-ultragpu-8g', region: 'us-central1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8, cloud: 'gcp' })),
      vllm_deployments: [{ deployment_id: 'gcp-70b', model: 'meta-llama/Llama-3-70B', instance_ids: ['gce-a2-1', 'gce-a2-2'], requests_per_second: 6, prompt_tokens: 256, output_tokens: 64 }],
    }
    expect((await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: fleet })).status).toBeLessThan(300)
    await p.http('POST', `/customers/${customerId}/analyze`, { token, body: { agent_type: 'cost' } })
    const rec = await waits(p, token).recommendation(customerId, (r) => r.type === 'cross_cloud_migration' && r.validation_status === 'validated')
    log.ok(`${rec.title}: ${usd(rec.estimated_savings)}/mo after ${usd(rec.evidence.egress_monthly_usd)}/mo egress`)
    expect(rec.evidence.egress_monthly_usd).toBeGreaterThan(0)
    expect(rec.predicted.monthlyCostUsdBefore - rec.predicted.monthlyCostUsdAfter).toBeCloseTo(rec.estimated_savings, 0)
    expect(rec.plan.pools.some((pool: any) => pool.cloud === 'aws')).toBe(true)
    const approval = await p.http('POST', `/recommendations/${rec.id}/approve`, { token })
    const opt = await waits(p, token).optimizationDone(approval.body.optimization_id, 120_000)
    expect(opt.status, `${opt.pause_reason ?? ''} ${JSON.stringify(opt.result)}`).toBe('completed')
    const infra = (await p.http('GET', `/customers/${customerId}/infrastructure`, { token })).body
    const live = infra.instances.filter((i: any) => i.state !== 'terminated')
    expect(live.length).toBeGreaterThan(0)
    expect(live.every((i: any) => (i.cloud ?? 'aws') === 'aws')).toBe(true)
    log.ok(`Now on ${live.map((i: any) => i.instance_type).join(', ')}; actual ${usd(opt.result.actual_savings)}/mo vs predicted ${usd(opt.result.predicted_savings)}/mo`)
    // issue 10 item 5: the egress the estimate paid for is on the bill (callers stay on GCP: prompts leave GCP, answers AWS)
    // the first whole fleet hour after completion (a few seconds of wall time)
    const to = new Date((Math.ceil(p.deps.clock.now().getTime() / 3_600_000) + 1) * 3_600_000)
    await waitFor(async () => p.deps.clock.now() >= to, { timeoutMs: 60_000 })
    const exported = await p.http<string>('GET', `/customers/${customerId}/bills/export?format=focus&start_time=${new Date(to.getTime() - 3_600_000).toISOString()}&end_time=${to.toISOString()}`, { token })
    const transfer = (parse(exported.body, { columns: true }) as Record<string, string>[]).filter((r) => r.ServiceCategory === 'Networking')
    expect(new Set(transfer.map((r) => r.ProviderName))).toEqual(new Set(['Google Cloud', 'AWS']))
    expect(new Set(transfer.map((r) => r.ResourceId))).toEqual(new Set(live.map((i: any) => i.instance_id ?? i.id)))
    const billedMonthly = transfer.reduce((sum, r) => sum + Number(r.EffectiveCost), 0) * 730
    // one hour of the daily cycle (±30% around the mean the estimate uses)
    expect(billedMonthly / rec.evidence.egress_monthly_usd).toBeGreaterThan(0.6)
    expect(billedMonthly / rec.evidence.egress_monthly_usd).toBeLessThan(1.4)
    log.ok(`Egress on the bill: ${usd(billedMonthly)}/mo at the last hour's rate; estimated ${usd(rec.evidence.egress_monthly_usd)}/mo`)
    log.passed()
  })
})
