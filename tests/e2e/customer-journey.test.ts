import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { phaseLog, usd } from '../support/phases.ts'
import { waits } from '../support/api.ts'

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

describe('e2e: scenario 5', () => {
  it('test_complete_customer_journey @p0 @slow', async () => {
    const log = phaseLog('COMPLETE CUSTOMER JOURNEY')
    log.phase('Customer signs up')
    const signup = await p.http('POST', '/auth/signup', { body: { email: 'newcustomer@example.com', company_name: 'NewCorp Inc', password: 'securepass123', plan: 'pro' } })
    expect(signup.body.success).toBe(true)
    const customerId = signup.body.customer_id as string
    const token = (await p.http('POST', '/auth/login', { body: { username: 'newcustomer@example.com', password: 'securepass123' } })).body.access_token as string
    log.ok(`Customer created: ${customerId}`)

    log.phase('Onboarding infrastructure')
    const onboard = await p.http('POST', `/customers/${customerId}/onboard`, { token, body: { cloud_provider: 'aws', region: 'us-east-1', iam_role_arn: 'arn:aws:iam::123456789012:role/OptiInfraAgent' } })
    expect(onboard.body.status).toBe('started')

    log.phase('Deploying agent runtime')
    const cmd = await p.http('GET', `/customers/${customerId}/agent-install-command`, { token })
    expect(cmd.body.install_command).toContain(cmd.body.agent_token)
    const connect = await p.http('POST', '/agent-runtime/connect', { body: { customer_id: customerId, agent_token: cmd.body.agent_token, hostname: 'test-agent-runtime', version: '1.0.0' } })
    expect(connect.body.connected).toBe(true)
    log.ok('Agent runtime connected')

    log.phase('Discovering infrastructure')
    const infra = await waitFor(async () => {
      const r = await p.http('GET', `/customers/${customerId}/infrastructure`, { token })
      return r.body.status === 'discovered' ? r.body : undefined
    }, { timeoutMs: 60_000, what: 'discovery' })
    expect(infra.instances.length).toBeGreaterThan(0)
    expect(infra.vllm_deployments.length).toBeGreaterThan(0)
    log.ok(`${infra.instances.length} instances, ${infra.vllm_deployments.length} vLLM deployments`)

    log.phase('Initial analysis by all agents')
    const recs = await waitFor(async () => {
      // what the portal offers for approval: pending and cross-validated by the other agents
      const r = (await p.http<any[]>('GET', `/customers/${customerId}/recommendations?status=pending`, { token })).body.filter((x) => x.validation_status === 'validated')
      return r.length > 0 ? r : undefined
    }, { timeoutMs: 90_000, what: 'validated recommendations' })
    for (const r of recs.slice(0, 3)) log.info(`- ${r.type}: save ${usd(r.estimated_savings)}/mo`)

    log.phase('Customer reviews in portal')
    const dashboard = (await p.http('GET', `/portal/customers/${customerId}/dashboard`, { token })).body
    expect(dashboard.current_spend).toBeGreaterThan(0)
    expect(dashboard.potential_savings).toBeGreaterThan(0)
    expect(dashboard.recommendations.length).toBeGreaterThan(0)
    log.ok(`Current spend ${usd(dashboard.current_spend)}/mo, potential savings ${usd(dashboard.potential_savings)}/mo`)

    log.phase('Customer approves the top recommendation and watches it live')
    const top = recs.reduce((a, b) => (b.estimated_savings > a.estimated_savings ? b : a))
    const messages: any[] = []
    const ws = new WebSocket(`${p.url.replace('http', 'ws')}/ws/customers/${customerId}?token=${token}`)
    ws.on('message', (d) => messages.push(JSON.parse(String(d))))
    await new Promise((r) => ws.once('open', r))
    const approval = await p.http('POST', `/recommendations/${top.id}/approve`, { token })
    expect(approval.body.status).toBe('approved')
    const opt = await waits(p, token).optimizationDone(approval.body.optimization_id)
    expect(opt.status, JSON.stringify(opt.result)).toBe('completed')
    ws.close()
    const stepEvents = messages.filter((m) => String(m.type).startsWith('optimization:'))
    expect(stepEvents.length).toBeGreaterThan(0)
    expect(messages.every((m) => m.customerId === customerId)).toBe(true)
    log.ok(`Optimization completed: ${top.type}; ${messages.length} live updates (${stepEvents.length} optimization events)`)

    log.phase('Validating results against the prediction')
    const after = (await p.http('GET', `/portal/customers/${customerId}/dashboard`, { token })).body
    expect(after.current_spend).toBeLessThan(dashboard.current_spend)
    const actual = dashboard.current_spend - after.current_spend
    const accuracy = (100 * actual) / top.estimated_savings
    log.info(`Actual savings ${usd(actual)}/mo vs predicted ${usd(top.estimated_savings)}/mo: ${accuracy.toFixed(1)}%`)
    expect(accuracy).toBeGreaterThanOrEqual(80)
    expect(accuracy).toBeLessThanOrEqual(120)
    expect(after.realized_savings).toBeGreaterThan(0)

    log.phase('Verifying ongoing monitoring by all four agents')
    const agents = await waitFor(async () => {
      const r = await p.http<any[]>('GET', `/customers/${customerId}/agents`, { token })
      const withBeat = r.body.filter((a) => a.last_heartbeat)
      return withBeat.length === 4 ? withBeat : undefined
    }, { what: 'heartbeats from all four agents' })
    expect(new Set(agents.map((a) => a.agent_type))).toEqual(new Set(['cost', 'performance', 'resource', 'application']))
    log.ok('All agents monitoring: cost, performance, resource, application')
    log.passed()
  })
})
