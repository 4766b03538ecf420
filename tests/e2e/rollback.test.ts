import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { phaseLog } from '../support/phases.ts'
import { waits } from '../support/api.ts'

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

/** Registers the seed fleet for a new customer and waits for its validated spot recommendation. */
async function spotReady() {
  const c = await p.newCustomer('Rollback Corp')
  expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
  await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
  const rec = await waits(p, c.token).recommendation(c.customerId, (r) => r.type === 'spot_migration' && r.validation_status === 'validated')
  const before = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
  return { ...c, rec, before }
}

const running = (infra: any) => infra.instances.filter((i: any) => i.state !== 'terminated').map((i: any) => `${i.instance_id}:${i.instance_type}:${i.pricing}`).sort()

describe('e2e: scenarios 4 and 6', () => {
  it('test_quality_validation_rollback @p0 @slow', async () => {
    const log = phaseLog('QUALITY VALIDATION')
    const c = await spotReady()
    const baseline = c.rec.validations.find((v: any) => v.agent_type === 'application')
    expect(baseline.baseline_established).toBe(true)
    log.ok(`Baseline established: ${baseline.reason}`)

    log.phase('Injecting a quality degradation into whatever canary comes next')
    const fault = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: c.customerId, deployment_id: 'vllm-prod-1', target: 'canary', kind: 'quality_degradation', magnitude: 0.2 } })
    expect(fault.status).toBe(201)

    log.phase('Approving; the quality gate must catch it')
    const approval = await p.http('POST', `/recommendations/${c.rec.id}/approve`, { token: c.token })
    const opt = await waits(p, c.token).optimizationDone(approval.body.optimization_id)
    expect(opt.status).toBe('rolled_back')
    expect(String(opt.result.error)).toMatch(/quality/i)
    log.ok(`Rolled back: ${opt.result.error}`)

    log.phase('Original configuration restored, quality back to baseline')
    const after = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(running(after)).toEqual(running(c.before))
    expect(after.vllm_deployments[0].config ?? null).toEqual(c.before.vllm_deployments[0].config ?? null)
    const canaryCheck = opt.execution_steps.find((s: any) => s.name.startsWith('validate') && s.status === 'failed')
    expect(canaryCheck).toBeDefined()
    log.ok(`Failed gate: ${canaryCheck.name} — ${JSON.stringify(canaryCheck.detail).slice(0, 160)}`)
    log.passed()
  })

  it('rolls back a canary that errs, at the first look of the anytime-valid error-rate gate @p1', async () => {
    const log = phaseLog('ERROR-RATE GATE')
    const c = await spotReady()
    log.phase('Injecting an error burst into whatever canary comes next')
    const fault = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: c.customerId, deployment_id: 'vllm-prod-1', target: 'canary', kind: 'error_burst', magnitude: 0.2 } })
    expect(fault.status).toBe(201)
    log.phase('Declaring this deployment\'s gates: the decision must use these records, not the defaults')
    const gates = `/customers/${c.customerId}/deployments/vllm-prod-1/gates`
    expect((await p.http('PUT', `${gates}/error_rate`, { token: c.token, body: { tolerance: 0.002, alpha: 0.01, min_samples: 50, max_samples: 100_000 } })).status).toBe(200)
    expect((await p.http('PUT', `${gates}/quality`, { token: c.token, body: { tolerance: 0.02, alpha: 0.05, min_samples: 30, max_samples: 300 } })).status).toBe(200)
    const approval = await p.http('POST', `/recommendations/${c.rec.id}/approve`, { token: c.token })
    const opt = await waits(p, c.token).optimizationDone(approval.body.optimization_id)
    expect(opt.status).toBe('rolled_back')
    expect(String(opt.result.error)).toMatch(/anytime-valid gate failed: error_rate: .*e-value .* ≥ 100: above stable \+ 0\.20%/)
    // the step that failed recorded the look that decided, beside the other gates' looks
    const failed = opt.execution_steps.find((s: any) => s.name.startsWith('validate') && s.status === 'failed')
    const looks: any[] = failed.detail.analysis.gate_looks
    expect(looks.filter((l) => l.gate === 'error_rate').at(-1)).toMatchObject({ verdict: 'failed', decides: true, threshold: 0.002, alpha: 0.01, source: 'declared' })
    expect(looks.filter((l) => l.gate === 'quality').every((l) => l.decides === true && l.threshold === 0.02 && l.source === 'declared')).toBe(true)
    expect(looks.filter((l) => l.gate === 'latency_p95').every((l) => l.threshold === 0.05 && l.source === 'default')).toBe(true)
    const after = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(running(after)).toEqual(running(c.before))
    log.ok(`Rolled back: ${opt.result.error}`)
    log.passed()
  })

  it('test_automatic_rollback_on_failure @p0 @slow', async () => {
    const log = phaseLog('AUTOMATIC ROLLBACK ON FAILURE')
    const c = await spotReady()
    log.phase('Injecting a launch failure for the spot capacity')
    expect((await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: c.customerId, target: 'all', kind: 'launch_failure' } })).status).toBe(201)
    const approval = await p.http('POST', `/recommendations/${c.rec.id}/approve`, { token: c.token })
    const opt = await waits(p, c.token).optimizationDone(approval.body.optimization_id)
    expect(['rolled_back', 'failed']).toContain(opt.status)
    expect(opt.result.success).toBe(false)
    log.ok(`${opt.status}: ${opt.result.error}`)

    log.phase('State restored and no orphaned instances')
    const after = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(running(after)).toEqual(running(c.before))
    if (opt.result.rollback?.duration_ms !== undefined) expect(opt.result.rollback.duration_ms).toBeLessThan(5 * 60_000)

    log.phase('Audit trail complete')
    const audit = (await p.http<any[]>('GET', `/customers/${c.customerId}/audit?subject_id=${opt.id}`, { token: c.token })).body
    const actions = audit.map((e) => e.action)
    expect(actions.some((a) => /approv/.test(a)) || (await p.http<any[]>('GET', `/customers/${c.customerId}/audit?subject_id=${c.rec.id}`, { token: c.token })).body.some((e) => /approv/.test(e.action))).toBe(true)
    expect(actions.some((a) => /roll|abort|fail/.test(a))).toBe(true)
    const starts = audit.filter((e) => /step/.test(e.action) && /start/.test(e.action)).map((e) => e.detail?.step ?? e.detail?.name)
    expect(new Set(starts).size).toBe(starts.length)
    log.ok(`${audit.length} audit entries for the optimization: ${[...new Set(actions)].join(', ')}`)
    log.passed()
  })
})
