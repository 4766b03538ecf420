import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'

// tags: integration — seed 001 §6, agent ↔ orchestrator over HTTP
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

const register = (body: Record<string, unknown>) => p.http('POST', '/orchestrator/agents/register', { token: p.adminToken, body })

describe('integration: agent ↔ orchestrator', () => {
  it('test_agent_registration @p0', async () => {
    const res = await register({ agent_type: 'cost', version: '1.0.0', capabilities: ['spot_migration', 'reserved_instance_optimization', 'instance_rightsizing'], hostname: 'cost-agent-pod-1' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ registered: true, agent_id: expect.any(String) })
    const agent = await p.http('GET', `/orchestrator/agents/${res.body.agent_id}`, { token: p.adminToken })
    expect(agent.body).toMatchObject({ agent_type: 'cost', status: 'active', hostname: 'cost-agent-pod-1' })
  })

  it('test_agent_heartbeat @p0', async () => {
    const { body } = await register({ agent_type: 'performance', version: '1.0.0', capabilities: ['latency_optimization'], hostname: 'perf-agent-pod-1' })
    const hb = await p.http('POST', `/orchestrator/agents/${body.agent_id}/heartbeat`, { token: p.adminToken, body: { status: 'active', current_tasks: 2, load: 0.45 } })
    expect(hb.status).toBe(200)
    const agent = await p.http('GET', `/orchestrator/agents/${body.agent_id}`, { token: p.adminToken })
    expect(agent.body).toMatchObject({ current_tasks: 2, load: 0.45, status: 'active' })
    expect(Date.parse(agent.body.last_heartbeat)).toBeGreaterThan(0)
  })

  it('test_orchestrator_routes_request_to_agent @p0', async () => {
    const { customerId, token } = await p.newCustomer()
    const res = await p.http('POST', '/orchestrator/analyze', { token, body: { customer_id: customerId, analysis_type: 'cost_optimization' } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ routed_to_agent: 'cost', task_id: expect.any(String) })
    const bad = await p.http('POST', '/orchestrator/analyze', { token, body: { customer_id: customerId, analysis_type: 'astrology' } })
    expect(bad.status).toBe(400)
  })

  it('test_agent_health_marks_missed_heartbeats_offline @p1', async () => {
    const { body } = await register({ agent_type: 'resource', version: '1.0.0', capabilities: [], hostname: 'silent-pod', heartbeat_interval_ms: 1000 })
    // the fleet clock runs ×600: a few wall milliseconds are many missed 1 s heartbeats
    const seen = await waitFor(async () => {
      const a = await p.http('GET', `/orchestrator/agents/${body.agent_id}`, { token: p.adminToken })
      return a.body.status === 'offline' ? a.body : undefined
    }, { timeoutMs: 20_000, what: 'agent to go offline' })
    expect(seen.status).toBe('offline')
  })

  it('test_registry_refuses_customers_and_bad_payloads @p1', async () => {
    const { token } = await p.newCustomer()
    expect((await p.http('POST', '/orchestrator/agents/register', { token, body: { agent_type: 'cost', version: '1', capabilities: [], hostname: 'h' } })).status).toBe(403)
    expect((await register({ agent_type: 'wizard', version: '1', capabilities: [], hostname: 'h' })).status).toBe(400)
  })
})
