import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../test/platform.ts'

// Seed 001 §6 over HTTP, on a platform without in-process agents so the registry holds only what
// the tests register.
let p: TestPlatform
let agentToken: string
beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  agentToken = (await p.http('POST', '/orchestrator/agent-tokens', { token: p.adminToken, body: { label: 'test agents' } })).body.token
}, 60_000)
afterAll(async () => { await p?.stop() })

const register = (body: Record<string, unknown>, token = agentToken) => p.http('POST', '/orchestrator/agents/register', { token, body })
const costAgent = { agent_type: 'cost', version: '1.0.0', capabilities: ['spot_migration', 'reserved_instance_optimization', 'instance_rightsizing'], hostname: 'cost-agent-pod-1' }

describe('agent registry', () => {
  it('mints platform agent tokens for admins only', async () => {
    const c = await p.newCustomer()
    expect((await p.http('POST', '/orchestrator/agent-tokens', { token: c.token, body: {} })).status).toBe(403)
    expect((await p.http('POST', '/orchestrator/agent-tokens', { body: {} })).status).toBe(401)
    expect(agentToken).toMatch(/^oia_/)
  })

  it('registers an agent (seed shape) as active, by agent token or admin, never by a customer', async () => {
    const r = await register(costAgent)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ registered: true, status: 'active' })
    const listed = (await p.http('GET', '/orchestrator/agents', { token: p.adminToken })).body.find((a: { agent_id: string }) => a.agent_id === r.body.agent_id)
    expect(listed).toMatchObject({ agent_type: 'cost', status: 'active', hostname: 'cost-agent-pod-1', mode: 'remote' })
    expect((await register(costAgent, p.adminToken)).status).toBe(200)
    const c = await p.newCustomer()
    expect((await register(costAgent, c.token)).status).toBe(403)
    expect((await register({ ...costAgent, agent_type: 'janitor' })).status).toBe(400)
    expect((await register({ ...costAgent, hostname: '' })).status).toBe(400)
  })

  it('stores heartbeats with timestamp and the customers they cover; only the registering token may send them', async () => {
    const id = (await register({ ...costAgent, agent_type: 'performance', capabilities: ['latency_optimization'], hostname: 'perf-agent-pod-1' })).body.agent_id
    const c = await p.newCustomer()
    const hb = await p.http('POST', `/orchestrator/agents/${id}/heartbeat`, { token: agentToken, body: { status: 'active', current_tasks: 2, load: 0.45, customer_ids: [c.customerId] } })
    expect(hb.status).toBe(200)
    expect(hb.body).toMatchObject({ ok: true, status: 'active' })
    const rows = await p.deps.db.query<{ status: string; current_tasks: number; customer_id: string | null; timestamp: Date }>(
      'SELECT status, current_tasks, customer_id, "timestamp" FROM agent_heartbeats WHERE agent_id = $1 ORDER BY "timestamp" DESC', [id])
    expect(rows.map((r) => r.customer_id).sort()).toEqual([c.customerId, null].sort())
    expect(rows[0]).toMatchObject({ status: 'active', current_tasks: 2 })
    const agents = (await p.http('GET', `/customers/${c.customerId}/agents`, { token: c.token })).body
    expect(agents.find((a: { agent_type: string }) => a.agent_type === 'performance').last_heartbeat).toBe(new Date(rows[0]!.timestamp).toISOString())
    const other = (await p.http('POST', '/orchestrator/agent-tokens', { token: p.adminToken, body: {} })).body.token
    expect((await p.http('POST', `/orchestrator/agents/${id}/heartbeat`, { token: other, body: { status: 'active', current_tasks: 0, load: 0 } })).status).toBe(403)
    expect((await p.http('POST', `/orchestrator/agents/${id}/heartbeat`, { token: agentToken, body: { status: 'active', current_tasks: -1, load: 0 } })).status).toBe(400)
    expect((await p.http('POST', '/orchestrator/agents/not-a-uuid/heartbeat', { token: agentToken, body: { status: 'active', current_tasks: 0, load: 0 } })).status).toBe(400)
  })

  it('marks an agent that misses heartbeats unhealthy, then offline, and a heartbeat brings it back', async () => {
    const id = (await register({ ...costAgent, hostname: 'flaky', heartbeat_interval_ms: 200 })).body.agent_id
    const statusOf = async () => (await p.http('GET', `/orchestrator/agents/${id}`, { token: agentToken })).body.status
    await waitFor(async () => (await statusOf()) === 'unhealthy', { timeoutMs: 5_000, what: 'unhealthy' })
    await waitFor(async () => (await statusOf()) === 'offline', { timeoutMs: 5_000, what: 'offline' })
    expect((await p.http('POST', `/orchestrator/agents/${id}/tasks/claim`, { token: agentToken, body: {} })).status).toBe(409)
    await p.http('POST', `/orchestrator/agents/${id}/heartbeat`, { token: agentToken, body: { status: 'active', current_tasks: 0, load: 0 } })
    expect(await statusOf()).toBe('active')
  })
})

describe('routing', () => {
  it('routes an analysis by type to the least-loaded active instance with the capability (seed shape)', async () => {
    const c = await p.newCustomer()
    const busy = (await register({ ...costAgent, capabilities: ['cost_optimization'], hostname: 'busy' })).body.agent_id
    const idle = (await register({ ...costAgent, capabilities: ['cost_optimization'], hostname: 'idle' })).body.agent_id
    await p.http('POST', `/orchestrator/agents/${busy}/heartbeat`, { token: agentToken, body: { status: 'active', current_tasks: 5, load: 0.9 } })
    await p.http('POST', `/orchestrator/agents/${idle}/heartbeat`, { token: agentToken, body: { status: 'active', current_tasks: 0, load: 0.05 } })
    const r = await p.http('POST', '/orchestrator/analyze', { token: c.token, body: { customer_id: c.customerId, analysis_type: 'cost_optimization' } })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ routed_to_agent: 'cost', agent_id: idle })
    const task = (await p.http('GET', `/orchestrator/tasks/${r.body.task_id}`, { token: c.token })).body
    expect(task).toMatchObject({ status: 'queued', agent_type: 'cost', routed_agent_id: idle, customer_id: c.customerId })
    const claimed = await p.http('POST', `/orchestrator/agents/${idle}/tasks/claim`, { token: agentToken, body: { lease_ms: 5000 } })
    expect(claimed.body.task).toMatchObject({ id: r.body.task_id, status: 'running', claimed_by: idle })
    const ctx = await p.http('GET', `/orchestrator/agents/${idle}/tasks/${r.body.task_id}/context`, { token: agentToken })
    expect(ctx.body.context).toMatchObject({ customerId: c.customerId, fleet: { instances: [], deployments: [] } })
    expect(ctx.body.context.prices.length).toBeGreaterThan(40)
    expect((await p.http('GET', `/orchestrator/agents/${busy}/tasks/${r.body.task_id}/context`, { token: agentToken })).body.code).toBe('OPT_TASK_LEASE_LOST')
  })

  it('maps every analysis type to its agent and refuses unknown types and other tenants', async () => {
    const c = await p.newCustomer()
    const other = await p.newCustomer()
    for (const [analysis_type, agent] of [['performance_optimization', 'performance'], ['resource_optimization', 'resource'], ['quality_check', 'application']]) {
      expect((await p.http('POST', '/orchestrator/analyze', { token: c.token, body: { customer_id: c.customerId, analysis_type } })).body.routed_to_agent).toBe(agent)
    }
    expect((await p.http('POST', '/orchestrator/analyze', { token: c.token, body: { customer_id: c.customerId, analysis_type: 'vibes' } })).status).toBe(400)
    expect((await p.http('POST', '/orchestrator/analyze', { token: other.token, body: { customer_id: c.customerId, analysis_type: 'cost_optimization' } })).status).toBe(403)
    expect((await p.http('POST', '/orchestrator/analyze', { token: p.adminToken, body: { customer_id: '00000000-0000-4000-8000-000000000000', analysis_type: 'cost_optimization' } })).status).toBe(404)
    expect((await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'wizard' } })).status).toBe(400)
    const started = await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
    expect(started.body).toMatchObject({ status: 'started' })
    const a = await p.http('GET', `/analyses/${started.body.analysis_id}`, { token: c.token })
    expect(a.body).toMatchObject({ status: 'started', agent_types: ['cost'], analysis_type: 'cost_optimization', trigger: 'api' })
    expect((await p.http('GET', `/analyses/${started.body.analysis_id}`, { token: other.token })).status).toBe(403)
    expect((await p.http('GET', '/analyses/1%27%20OR%201=1', { token: c.token })).status).toBe(400)
  })

  it('accepts results only from the holder, checks their shape, and stores no malformed draft', async () => {
    const c = await p.newCustomer()
    const id = (await register({ ...costAgent, capabilities: ['cost_optimization'], hostname: 'worker' })).body.agent_id
    const other = (await register({ ...costAgent, capabilities: ['cost_optimization'], hostname: 'bystander' })).body.agent_id
    const started = await p.http('POST', '/orchestrator/analyze', { token: c.token, body: { customer_id: c.customerId, analysis_type: 'cost_optimization' } })
    const claimed = await waitFor(async () => {
      const r = await p.http('POST', `/orchestrator/agents/${id}/tasks/claim`, { token: agentToken, body: { lease_ms: 10_000 } })
      return r.body.task?.id === started.body.task_id ? r.body.task : null
    }, { timeoutMs: 10_000, what: 'claim' })
    const url = (agent: string) => `/orchestrator/agents/${agent}/tasks/${claimed.id}`
    expect((await p.http('POST', `${url(id)}/lease`, { token: agentToken, body: { lease_ms: 10_000 } })).body).toEqual({ renewed: true })
    expect((await p.http('POST', `${url(other)}/lease`, { token: agentToken, body: {} })).body).toEqual({ renewed: false })
    const output = { findings: [], qualityScores: [], sources: {}, durationMs: 1, drafts: [{ type: 'spot_migration', agentType: 'cost', deploymentId: 'd', dedupeKey: 'spot_migration:d' }] }
    expect((await p.http('POST', `${url(id)}/result`, { token: agentToken, body: { result: { kind: 'analysis' } } })).status).toBe(400)
    expect((await p.http('POST', `${url(other)}/result`, { token: agentToken, body: { result: { kind: 'analysis', output } } })).body.code).toBe('OPT_TASK_LEASE_LOST')
    expect((await p.http('POST', `${url(id)}/result`, { token: agentToken, body: { result: { kind: 'analysis', output } } })).body).toEqual({ accepted: true })
    expect((await p.http('POST', `${url(id)}/result`, { token: agentToken, body: { result: { kind: 'analysis', output } } })).status).toBe(409)
    const a = (await p.http('GET', `/analyses/${started.body.analysis_id}`, { token: c.token })).body
    expect(a.status).toBe('completed')
    expect(a.results.cost.rejected_drafts).toEqual(['spot_migration:d: draft is missing predicted, evidence or plan'])
    expect((await p.http('GET', `/customers/${c.customerId}/recommendations?include_validating=true`, { token: c.token })).body).toEqual([])
  })
})
