import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../test/platform.ts'

// Agents as real separate processes (`node bin/optiinfra.js agent …`) against a real platform that
// runs no in-process agents: registration, heartbeats, leased work over HTTP, kill -9 of one
// instance mid-task and the other finishing it, and cross-validation by remote agents.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FIXTURE = {
  instances: [
    { instance_id: 'i-123456', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8 },
    { instance_id: 'i-789012', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8 },
  ],
  vllm_deployments: [{ deployment_id: 'vllm-prod-1', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-123456', 'i-789012'], avg_latency_p95: 1600, requests_per_second: 45 }],
}

let p: TestPlatform
let token: string
let customer: { customerId: string; token: string }
const children: ChildProcess[] = []
const logs = new Map<string, string>()

function agentProcess(type: string, hostname: string, extra: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['bin/optiinfra.js', 'agent', type, '--server', p.url, '--token', token, '--hostname', hostname, '--heartbeat-ms', '300', '--lease-ms', '1500', '--poll-ms', '200', ...extra], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  logs.set(hostname, '')
  const keep = (d: Buffer) => logs.set(hostname, (logs.get(hostname)! + d.toString()).slice(-4000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  children.push(child)
  return child
}

const agentsByHost = async () => new Map<string, { agent_id: string; status: string }>(
  (await p.http('GET', '/orchestrator/agents', { token: p.adminToken })).body.map((a: { hostname: string; agent_id: string; status: string }) => [a.hostname, a]))
const costTask = async () => (await p.deps.db.query<{ id: string; status: string; claimed_by: string | null; attempts: number }>(
  `SELECT id, status, claimed_by, attempts FROM agent_tasks WHERE customer_id = $1 AND kind = 'analyze' AND agent_type = 'cost'`, [customer.customerId]))[0]
const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => { if (c.exitCode !== null || c.signalCode !== null) resolve(c.exitCode); else c.once('exit', (code) => resolve(code)) })

beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  token = (await p.http('POST', '/orchestrator/agent-tokens', { token: p.adminToken, body: { label: 'process test' } })).body.token
  customer = await p.newCustomer()
  expect((await p.http('POST', `/customers/${customer.customerId}/infrastructure`, { token: customer.token, body: FIXTURE })).status).toBe(201)
}, 60_000)

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await Promise.all(children.map(exited))
  await p?.stop()
})

describe('agents as separate processes', () => {
  it('survives kill -9 of a cost agent mid-task: it goes offline and the other instance finishes the work', async () => {
    const a = agentProcess('cost', 'cost-a', ['--task-delay-ms', '120000'])
    const idA = await waitFor(async () => (await agentsByHost()).get('cost-a')?.agent_id, { timeoutMs: 60_000, what: `cost-a to register: ${logs.get('cost-a')}` })
    await waitFor(async () => (await costTask())?.claimed_by === idA, { timeoutMs: 30_000, what: 'cost-a to claim the analysis' })
    const b = agentProcess('cost', 'cost-b')
    const idB = await waitFor(async () => (await agentsByHost()).get('cost-b')?.agent_id, { timeoutMs: 60_000, what: `cost-b to register: ${logs.get('cost-b')}` })
    expect((await costTask())?.claimed_by).toBe(idA)
    a.kill('SIGKILL')
    await exited(a)
    await waitFor(async () => (await agentsByHost()).get('cost-a')?.status === 'offline', { timeoutMs: 15_000, what: 'cost-a offline' })
    const done = await waitFor(async () => { const t = await costTask(); return t?.status === 'completed' ? t : null }, { timeoutMs: 30_000, what: `cost-b to finish: ${logs.get('cost-b')}` })
    expect(done).toMatchObject({ claimed_by: idB, attempts: 2 })
    const recs = (await p.http('GET', `/customers/${customer.customerId}/recommendations?include_validating=true`, { token: customer.token })).body
    const spot = recs.find((r: { type: string }) => r.type === 'spot_migration')
    expect(spot).toMatchObject({ agent_type: 'cost', status: 'pending' })
    expect(spot.estimated_savings).toBeGreaterThan(10_000)
    expect((await agentsByHost()).get('cost-b')?.status).toBe('active')
    void b
  }, 180_000)

  it('lets remote performance, resource and application agents validate it over HTTP (the application agent probing the fleet)', async () => {
    for (const t of ['performance', 'resource', 'application']) agentProcess(t, `${t}-1`)
    const spot = await waitFor(async () => {
      const recs = (await p.http('GET', `/customers/${customer.customerId}/recommendations?type=spot_migration`, { token: customer.token })).body
      return recs.find((r: { validation_status: string }) => r.validation_status === 'validated')
    }, { timeoutMs: 90_000, what: `validation: ${[...logs.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')}` })
    const app = spot.validations.find((v: { agent_type: string }) => v.agent_type === 'application')
    expect(app).toMatchObject({ approved: true, baseline_established: true })
    expect(app.data.baseline.answered).toBeGreaterThanOrEqual(30)
    const beats = await p.deps.db.query<{ agent_type: string }>('SELECT DISTINCT agent_type FROM agent_heartbeats WHERE customer_id = $1', [customer.customerId])
    expect(beats.map((b) => b.agent_type).sort()).toEqual(['application', 'cost', 'performance', 'resource'])
  }, 180_000)

  it('deregisters on SIGTERM, after which the orchestrator routes it no work', async () => {
    const b = children.find((c) => c.exitCode === null && c.signalCode === null)!
    const host = [...logs.keys()].find((h) => h !== 'cost-a')!
    b.kill('SIGTERM')
    expect(await exited(b)).toBe(0)
    expect((await agentsByHost()).get(host)?.status).toBe('offline')
  }, 60_000)
})
