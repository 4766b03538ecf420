/**
 * Issue 10 item 8, through the HTTP API on a started server with a fleet registered through the API:
 * an overloaded deployment's scale-out is validated and executed. Its stable group refuses part of
 * the quality probes with 503 (overloaded); those count as the stable group's errors, so the
 * baseline is established and the canary's quality is judged against the group as it serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { phaseLog } from '../support/phases.ts'
import { approve } from '../support/api.ts'

const DEP = 'chat-hot'
/** One L40S box taking far more requests than it can serve. */
const fleet = {
  instances: [{ instance_id: 'i-hot-0', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1 }],
  vllm_deployments: [{ deployment_id: DEP, model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-hot-0'], requests_per_second: 100, prompt_tokens: 512, output_tokens: 128 }],
}

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

describe('e2e: capacity problems are fixable (issue 10 item 8)', () => {
  it('validates and executes the scale-out of an overloaded deployment whose stable group answers 503 @slow', async () => {
    const log = phaseLog('OVERLOADED DEPLOYMENT SCALE-OUT')
    const { customerId, token } = await p.newCustomer('Overloaded Co')
    expect((await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: fleet })).status).toBe(201)
    expect((await p.http('POST', `/customers/${customerId}/analyze`, { token, body: { agent_type: 'resource' } })).status).toBeLessThan(300)
    const rec = await waitFor(async () => {
      const list = (await p.http<any[]>('GET', `/customers/${customerId}/recommendations?deployment_id=${DEP}`, { token })).body
      const up = list.find((r) => r.type === 'autoscaling')
      return up && up.validation_status !== 'validating' ? up : undefined
    }, { timeoutMs: 90_000, what: 'a validated scale-out' })
    const application = rec.validations.find((v: any) => v.agent_type === 'application')
    log.info(`${rec.title}: ${rec.validation_status}; application: ${application?.reason}`)
    expect(rec.validation_status, JSON.stringify(rec.validations)).toBe('validated')
    expect(application).toMatchObject({ approved: true, baseline_established: true })
    expect(application.reason).toMatch(/refused for overload, counted as errors of the stable group/)

    const approved = await approve(p, token, rec.id)
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    const optimizationId = approved.body.optimization_id as string
    const done = await waitFor(async () => {
      const o = (await p.http<any>('GET', `/optimizations/${optimizationId}`, { token })).body
      return ['completed', 'rolled_back', 'failed', 'paused'].includes(o.status) ? o : undefined
    }, { timeoutMs: 240_000, what: 'the scale-out to finish' })
    log.info(`optimization ${done.status}: ${JSON.stringify(done.result)}`)
    expect(done.status, JSON.stringify(done.execution_steps.map((s: any) => [s.name, s.status, s.detail?.verdict, s.detail?.refused]))).toBe('completed')
    // judged against the extra cost the customer approved, from the bill
    expect(done.result).toMatchObject({ success: true, outcome: 'improved' })
    expect(done.result.actual_savings).toBeLessThan(0)
    const validate = done.execution_steps.find((s: any) => s.name === 'validate_canary')
    expect(validate.detail.refused.stable).toBeGreaterThan(0)
    const infra = (await p.http<any>('GET', `/customers/${customerId}/infrastructure`, { token })).body
    const dep = infra.vllm_deployments.find((d: any) => d.deployment_id === DEP)
    expect(dep.observed.healthy_instances).toBeGreaterThan(1)
    log.ok(`${DEP} now serves on ${dep.observed.healthy_instances} instances`)
    log.passed()
  }, 360_000)
})
