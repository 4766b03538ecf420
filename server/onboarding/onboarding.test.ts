import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findInstanceType, HOURS_PER_MONTH, loadCatalog } from '../cloud/catalog/catalog.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../test/platform.ts'
import { IAM_ROLE_ARN, accountFleet, onboardProblem } from './onboarding.ts'
import { adoptExistingFleets } from './discover.ts'
import { reanalyzeMonitored } from '../orchestrator/service.ts'

// Seed 001 scenario 5, phases 1–5, over HTTP on the simulated cloud.
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

const ARN = 'arn:aws:iam::123456789012:role/OptiInfraAgent'

describe('onboarding rules', () => {
  it('accepts IAM role ARNs and GCP project ids of the right shape in a region the catalog covers', () => {
    const cat = loadCatalog()
    expect(IAM_ROLE_ARN.test(ARN)).toBe(true)
    expect(IAM_ROLE_ARN.test('arn:aws:iam::123456789012:role/path/To/Role')).toBe(true)
    for (const bad of ['arn:aws:iam::12345:role/x', 'arn:aws:iam::123456789012:user/x', 'arn:aws:s3:::bucket', '']) expect(IAM_ROLE_ARN.test(bad)).toBe(false)
    expect(onboardProblem({ cloud_provider: 'aws', region: 'us-east-1', iam_role_arn: ARN }, cat)).toBeNull()
    expect(onboardProblem({ cloud_provider: 'gcp', region: 'us-central1', project_id: 'acme-llm-prod' }, cat)).toBeNull()
    expect(onboardProblem({ cloud_provider: 'gcp', region: 'us-central1', project_id: 'Bad_Project' }, cat)).toContain('not a GCP project id')
    expect(onboardProblem({ cloud_provider: 'aws', region: 'eu-west-9', iam_role_arn: ARN }, cat)).toContain('available: us-east-1')
  })
})

describe('onboarding over HTTP', () => {
  it('rejects a bad ARN, a missing project id and an unknown provider with 400, and other tenants with 403', async () => {
    const c = await p.newCustomer()
    const other = await p.newCustomer()
    const onboard = (body: unknown, token = c.token) => p.http('POST', `/customers/${c.customerId}/onboard`, { token, body })
    expect((await onboard({ cloud_provider: 'aws', region: 'us-east-1', iam_role_arn: 'arn:aws:iam::1234:role/x' })).body.code).toBe('OPT_ONBOARDING_INVALID')
    expect((await onboard({ cloud_provider: 'aws', region: 'us-east-1' })).status).toBe(400)
    expect((await onboard({ cloud_provider: 'gcp', region: 'us-central1' })).body.code).toBe('OPT_ONBOARDING_INVALID')
    expect((await onboard({ cloud_provider: 'azure', region: 'eastus', iam_role_arn: ARN })).status).toBe(400)
    expect((await onboard({ cloud_provider: 'aws', region: 'us-east-1', iam_role_arn: ARN }, other.token)).status).toBe(403)
    expect((await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body).toMatchObject({ status: 'pending', instances: [], vllm_deployments: [] })
  })

  it('onboards, installs and connects the runtime, discovers the fleet, and the agents recommend (seed scenario 5)', async () => {
    const c = await p.newCustomer('NewCorp Inc')
    const started = await p.http('POST', `/customers/${c.customerId}/onboard`, { token: c.token, body: { cloud_provider: 'aws', region: 'us-east-1', iam_role_arn: ARN } })
    expect(started.status).toBe(200)
    expect(started.body.status).toBe('started')
    const cmd = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body
    expect(cmd.agent_token).toMatch(/^oir_/)
    expect(cmd.install_command).toBe(`npx optiinfra runtime --server ${p.url} --token ${cmd.agent_token}`)
    const connect = await p.http('POST', '/agent-runtime/connect', { body: { customer_id: c.customerId, agent_token: cmd.agent_token, hostname: 'test-agent-runtime', version: '1.0.0' } })
    expect(connect.status).toBe(200)
    expect(connect.body.connected).toBe(true)
    const infra = await waitFor(async () => {
      const r = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
      return r.status === 'discovered' ? r : null
    }, { timeoutMs: 30_000, what: 'discovery' })
    expect(infra.instances.length).toBeGreaterThan(0)
    expect(infra.vllm_deployments.length).toBeGreaterThan(0)
    expect(infra.instances[0]).toMatchObject({ instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100-40GB', gpu_count: 8, deployment_id: 'vllm-prod-1' })
    expect(infra.instances[0].monthly_cost).toBeCloseTo(findInstanceType(loadCatalog(), 'aws', 'p4d.24xlarge')!.onDemandHourlyUsd * HOURS_PER_MONTH, 1)
    const recs = await waitFor(async () => {
      const r = (await p.http('GET', `/customers/${c.customerId}/recommendations`, { token: c.token })).body
      return r.length > 0 ? r : null
    }, { timeoutMs: 60_000, what: 'recommendations' })
    expect(recs[0].estimated_savings).toBeGreaterThan(0)
    const tokens = (await p.http('GET', `/customers/${c.customerId}/agent-tokens`, { token: c.token })).body
    expect(tokens.find((t: { id: string }) => t.id === cmd.token_id)).toMatchObject({ connections: 1, revoked_at: null })
    expect(JSON.stringify(tokens)).not.toContain(cmd.agent_token)
  })

  it('refuses a wrong token (401), another customer\'s token (403), and a revoked one (401)', async () => {
    const c = await p.newCustomer()
    const other = await p.newCustomer()
    const mine = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body
    const theirs = (await p.http('GET', `/customers/${other.customerId}/agent-install-command`, { token: other.token })).body
    const connect = (agent_token: string, customer_id = c.customerId) => p.http('POST', '/agent-runtime/connect', { body: { customer_id, agent_token, hostname: 'h', version: '1.0.0' } })
    expect((await connect('oir_not-a-real-token')).status).toBe(401)
    expect((await connect(theirs.agent_token)).status).toBe(403)
    expect((await connect(mine.agent_token, 'not-a-uuid')).status).toBe(400)
    expect((await p.http('DELETE', `/customers/${other.customerId}/agent-tokens/${mine.token_id}`, { token: other.token })).status).toBe(404)
    expect((await p.http('DELETE', `/customers/${c.customerId}/agent-tokens/${mine.token_id}`, { token: c.token })).body).toEqual({ revoked: true })
    expect((await connect(mine.agent_token)).status).toBe(401)
  })

  it('registers a fleet directly (fixture shape), materializes it in the simulator and reports bad fleets as 400', async () => {
    const c = await p.newCustomer()
    const body = {
      instances: [{ instance_id: 'i-aaa', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1, utilization: 0.2 }],
      vllm_deployments: [{ deployment_id: 'small', model: 'mistralai/Mistral-7B-Instruct-v0.3', instance_ids: ['i-aaa'], requests_per_second: 2 }],
    }
    const r = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ status: 'discovered', vllm_deployments: [expect.objectContaining({ deployment_id: 'small', requests_per_second: 2, instance_ids: ['i-aaa'] })] })
    expect((await p.deps.twin!.listResources(c.customerId)).instances.map((i) => i.id)).toEqual(['i-aaa'])
    const bad = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: { instances: [{ instance_type: 'z9.huge' }], vllm_deployments: [] } })
    expect(bad.status).toBe(400)
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: { instances: 'x' } })).status).toBe(400)
  })

  it('adopts a fleet seeded without onboarding (the demo) and re-analyses monitored fleets on schedule, one analysis at a time', async () => {
    const c = await p.newCustomer()
    await p.deps.twin!.registerFleet(c.customerId, accountFleet(c.customerId, 'gcp', 'us-central1'))
    expect(await adoptExistingFleets(p.deps)).toContain(c.customerId)
    expect((await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body).toMatchObject({ status: 'discovered', cloud_provider: 'gcp' })
    const analyses = async () => (await p.http('GET', `/customers/${c.customerId}/analyses`, { token: c.token })).body as { trigger: string; status: string }[]
    await waitFor(async () => (await analyses()).every((a) => a.status === 'completed'), { timeoutMs: 60_000, what: 'first analysis' })
    await reanalyzeMonitored(p.deps)
    await reanalyzeMonitored(p.deps)
    expect((await analyses()).map((a) => a.trigger).sort()).toEqual(['discovery', 'schedule'])
    expect(await adoptExistingFleets(p.deps)).not.toContain(c.customerId)
  }, 90_000)
})
