/**
 * Issue 12's acceptance through the API on a started server: an injected 8-pp quality drop on the
 * canary rolls back (the anytime-valid quality gate's failure, or the McNemar rule, decides) on the
 * demo fleet and on a fleet registered through the API; a change with no fault completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { phaseLog } from '../support/phases.ts'
import { approve, waits } from '../support/api.ts'

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ env: { OPTIINFRA_DEMO: 'true' } }) }, 120_000)
afterAll(async () => { await p?.stop() })

const DROP = 0.08

/** Injects an 8-pp quality drop into the next canary of a deployment (or none), approves, and returns the finished rollout. */
async function rollout(token: string, customerId: string, rec: { id: string; deployment_id: string }, fault: boolean) {
  if (fault) {
    const f = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: customerId, deployment_id: rec.deployment_id, target: 'canary', kind: 'quality_degradation', magnitude: DROP } })
    expect(f.status).toBe(201)
  }
  const approval = await approve(p, token, rec.id)
  expect(approval.status, JSON.stringify(approval.body)).toBe(200)
  const id = approval.body.optimization_id
  const opt = await waits(p, token).optimizationDone(id, 180_000)
  // the demo fleet keeps changing while the test waits (spot prices, other rollouts): a change whose
  // figures moved on rebasing asks to be approved again, and the customer accepts the new figures
  if (opt.status !== 'paused' || !/re-approval needed/.test(String(opt.pause_reason))) return opt
  expect((await p.http('POST', `/optimizations/${id}/resume`, { token })).status).toBe(200)
  return waits(p, token).optimizationDone(id, 180_000)
}

/** The quality gate's looks of the last validation step the rollout reached. */
function qualityLooks(opt: any): any[] {
  const steps = opt.execution_steps.filter((s: any) => s.name.startsWith('validate') && s.detail?.analysis)
  return (steps.at(-1)?.detail.analysis.gate_looks ?? []).filter((l: any) => l.gate === 'quality')
}

function expectRolledBackByQuality(opt: any) {
  expect(opt.status, `${opt.pause_reason ?? ''} ${JSON.stringify(opt.result)}`).toBe('rolled_back')
  expect(String(opt.result.error)).toMatch(/quality regression/)
  const last = qualityLooks(opt).at(-1)
  // the decision's record: the drop's lower bound cleared the tolerated 1 pp
  if (/anytime-valid gate failed/.test(String(opt.result.error))) expect(last).toMatchObject({ verdict: 'failed', decides: true, threshold: 0.01 })
  expect(last.estimate).toBeGreaterThan(0.02)
}

describe('e2e: the quality gate decides (issue 12)', () => {
  // the same change on the same registered fleet without a fault completes in tests/e2e/spot-migration.test.ts
  it('rolls back an 8-pp quality drop on a fleet registered through the API', async () => {
    const log = phaseLog('QUALITY GATE · REGISTERED FLEET')
    const c = await p.newCustomer('Quality Gate Co')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
    await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
    const rec = await waits(p, c.token).recommendation(c.customerId, (r) => r.type === 'spot_migration' && r.validation_status === 'validated')
    log.phase(`Injecting a ${DROP * 100}-pp drop into the canary of ${rec.deployment_id}`)
    const bad = await rollout(c.token, c.customerId, rec, true)
    expectRolledBackByQuality(bad)
    log.ok(`Rolled back: ${bad.result.error}`)
    log.passed()
  }, 300_000)

  it('rolls back an 8-pp quality drop and completes a change without it, on the demo fleet', async () => {
    const log = phaseLog('QUALITY GATE · DEMO FLEET')
    const cred = p.credentials.find((c) => c.role === 'customer')!
    const token = (await p.http<{ access_token: string }>('POST', '/auth/login', { body: { username: cred.email, password: cred.password } })).body.access_token
    const customerId = cred.customerId!
    // two validated changes on two deployments: one gets the fault, the other none. Spot migrations
    // keep the instance types, so only the injected fault can fail their canary (a right-sizing
    // onto slower GPUs may fail its latency gate first, which is the gate working, not this test)
    const validatedOnTwo = (pred: (r: any) => boolean, timeoutMs: number) => waitFor(async () => {
      const recs = (await p.http<any[]>('GET', `/customers/${customerId}/recommendations?status=pending`, { token })).body.filter((r) => r.deployment_id && r.validation_status === 'validated' && pred(r))
      const byDeployment = [...new Map(recs.map((r) => [r.deployment_id, r])).values()]
      return byDeployment.length >= 2 ? byDeployment : undefined
    }, { timeoutMs, what: 'validated recommendations on two demo deployments' })
    const pair = await validatedOnTwo((r) => r.type === 'spot_migration', 90_000).catch(() => validatedOnTwo(() => true, 60_000))
    // the fault goes to a deployment that is not latency-critical: the twin's answers are drawn from a
    // hash of (seed, model, prompt), and on the demo's latency-critical Qwen 7B the first 180 prompts
    // show 4.4 pp of the injected 8 pp, so that canary ends inconclusive (paused for a human)
    const critical = new Set((await p.http<any>('GET', `/customers/${customerId}/infrastructure`, { token })).body.vllm_deployments.filter((d: any) => d.latency_critical).map((d: any) => d.deployment_id))
    const [first, second] = [...pair].sort((a, b) => Number(critical.has(a.deployment_id)) - Number(critical.has(b.deployment_id)))
    log.phase(`Injecting a ${DROP * 100}-pp drop into the canary of ${first!.deployment_id} (${first!.type})`)
    const bad = await rollout(token, customerId, first!, true)
    expectRolledBackByQuality(bad)
    log.ok(`Rolled back: ${bad.result.error}`)
    log.phase(`${second!.type} on ${second!.deployment_id} without a fault`)
    const good = await rollout(token, customerId, second!, false)
    expect(good.status, good.result?.error).toBe('completed')
    log.passed()
  }, 300_000)
})
