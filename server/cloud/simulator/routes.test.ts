import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock } from '../../clock.ts'
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts'
import { testDbKind } from '../../test/db.ts'
import { parsePrometheusText, type MetricFamily } from '../../telemetry/prometheus.ts'
import { EVAL_SET, scoreAnswer } from '../../quality/eval-set.ts'
import { FIXTURE_START, SMALL_FLEET } from './testing.ts'

const clock = manualClock(FIXTURE_START)
let p: TestPlatform
let customer: { customerId: string; token: string }
let base: string
let fleetToken: string

beforeAll(async () => {
  p = await startTestPlatform({ clock, workers: false }) // the endpoints need no background services
  customer = await p.newCustomer('Routes Co')
  await p.deps.twin!.registerFleet(customer.customerId, SMALL_FLEET)
  base = `/sim/customers/${customer.customerId}`
  fleetToken = (await p.http('GET', `/customers/${customer.customerId}/agent-install-command`, { token: customer.token })).body.agent_token
}, 60_000)
afterAll(async () => { await p?.stop() })

async function scrape(path: string): Promise<{ status: number; families: MetricFamily[]; type: string | null }> {
  const res = await fetch(p.url + path, { headers: { authorization: `Bearer ${fleetToken}` } })
  const text = await res.text()
  const parsed = parsePrometheusText(text)
  if (res.status === 200) expect(parsed.errors).toEqual([])
  return { status: res.status, families: parsed.families, type: res.headers.get('content-type') }
}

const sum = (fams: MetricFamily[], name: string) => fams.flatMap((f) => f.samples).filter((s) => s.name === name).reduce((a, s) => a + s.value, 0)

describe(`simulator HTTP endpoints on ${testDbKind}`, () => {
  it('serves vLLM metrics as parseable text 0.0.4 with vllm:* names and model_name/engine labels, cumulative over time', async () => {
    const first = await scrape(`${base}/deployments/chat-8b/stable/metrics`)
    expect(first.status).toBe(200)
    expect(first.type).toContain('version=0.0.4')
    const running = first.families.find((f) => f.name === 'vllm:num_requests_running')!
    expect(running.samples[0]!.labels).toEqual({ engine: '0', model_name: 'meta-llama/Meta-Llama-3-8B-Instruct' })
    const e2e = first.families.find((f) => f.name === 'vllm:e2e_request_latency_seconds')!
    expect(e2e.type).toBe('histogram')
    const inf = e2e.samples.find((s) => s.name.endsWith('_bucket') && s.labels.le === '+Inf')!.value
    expect(inf).toBeCloseTo(e2e.samples.find((s) => s.name.endsWith('_count'))!.value, 6)
    clock.advance(60_000)
    const second = await scrape(`${base}/deployments/chat-8b/stable/metrics`)
    const served = sum(second.families, 'vllm:request_success_total') - sum(first.families, 'vllm:request_success_total')
    expect(served / 60).toBeGreaterThan(8 * 0.7) // 8 req/s ± the daily cycle (±30%)
    expect(served / 60).toBeLessThan(8 * 1.3)
  })

  it('serves DCGM metrics with one series per GPU and the exporter labels', async () => {
    const r = await scrape(`${base}/instances/i-small-1/metrics`)
    expect(r.status).toBe(200)
    const util = r.families.find((f) => f.name === 'DCGM_FI_DEV_GPU_UTIL')!
    expect(util.samples).toHaveLength(1)
    expect(util.samples[0]!.labels).toMatchObject({ gpu: '0', modelName: 'NVIDIA L40S', device: 'nvidia0' })
    expect(util.samples[0]!.labels.UUID).toMatch(/^GPU-[0-9a-f-]{36}$/)
    expect(util.samples[0]!.labels.Hostname).toMatch(/^ip-10-/)
    expect(r.families.find((f) => f.name === 'DCGM_FI_DEV_FB_USED')!.samples[0]!.value).toBeGreaterThan(30_000)
  })

  it('answers evaluation prompts in the OpenAI chat shape, per group and through the router', async () => {
    const item = EVAL_SET[0]!
    const res = await p.http('POST', `${base}/deployments/chat-8b/stable/v1/chat/completions`, { token: fleetToken, body: { model: 'meta-llama/Meta-Llama-3-8B-Instruct', messages: [{ role: 'user', content: item.prompt }], temperature: 0 } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ object: 'chat.completion', model: 'meta-llama/Meta-Llama-3-8B-Instruct', choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }] })
    expect(res.body.usage.total_tokens).toBe(res.body.usage.prompt_tokens + res.body.usage.completion_tokens)
    let correct = 0
    for (const it of EVAL_SET.slice(0, 60)) {
      const r = await p.http('POST', `${base}/deployments/chat-8b/v1/chat/completions`, { token: fleetToken, body: { messages: [{ role: 'user', content: it.prompt }] } })
      expect(r.headers.get('x-sim-group')).toBe('stable')
      correct += scoreAnswer(it, r.body.choices[0].message.content)
    }
    expect(correct / 60).toBeGreaterThan(0.6) // Llama-3-8B FP16 models 0.80
    expect(correct / 60).toBeLessThan(0.97)
    const wrongModel = await p.http('POST', `${base}/deployments/chat-8b/stable/v1/chat/completions`, { token: fleetToken, body: { model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] } })
    expect(wrongModel.status).toBe(404)
    expect((await p.http('POST', `${base}/deployments/chat-8b/stable/v1/chat/completions`, { token: fleetToken, body: { messages: [] } })).status).toBe(400)
  })

  it('resolves the short paths when the id is unique and refuses them when two customers share it', async () => {
    expect((await scrape('/sim/deployments/chat-8b/stable/metrics')).status).toBe(200)
    const other = await p.newCustomer('Twin Co')
    await p.deps.twin!.registerFleet(other.customerId, SMALL_FLEET)
    expect((await p.http('GET', '/sim/deployments/chat-8b/stable/metrics', { token: fleetToken })).status).toBe(409)
    expect((await p.http('GET', `${base}/deployments/chat-8b/canary/metrics`, { token: fleetToken })).status).toBe(404)
    expect((await p.http('GET', `${base}/deployments/nope/stable/metrics`, { token: fleetToken })).status).toBe(404)
    expect((await p.http('GET', `/sim/customers/not-a-uuid/deployments/chat-8b/stable/metrics`, { token: fleetToken })).status).toBe(400)
  })

  it('limits fault injection to admins and applies a canary fault to a canary created later', async () => {
    const body = { customer_id: customer.customerId, deployment_id: 'chat-8b', target: 'canary', kind: 'quality_degradation', magnitude: 1 }
    expect((await p.http('POST', '/admin/simulator/faults', { body })).status).toBe(401)
    expect((await p.http('POST', '/admin/simulator/faults', { token: customer.token, body })).status).toBe(403)
    expect((await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { ...body, kind: 'meteor' } })).status).toBe(400)
    expect((await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { ...body, kind: 'capacity_shortage' } })).status).toBe(400)
    const created = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ kind: 'quality_degradation', target: 'canary', active: true })
    const sim = p.deps.twin!
    const launched = await sim.launchInstances({ changeId: 'l1', customerId: customer.customerId, deploymentId: 'chat-8b', pool: { cloud: 'aws', region: 'us-east-1', instanceType: 'g6e.xlarge', pricing: 'on-demand', count: 1 } })
    clock.advance(180_000)
    const config = (await sim.listResources(customer.customerId)).deployments[0]!.stable.config
    await sim.setCanary({ changeId: 'c1', customerId: customer.customerId, deploymentId: 'chat-8b', group: { instanceIds: launched.ok ? launched.value.map((i) => i.id) : [], config }, weight: 10 })
    const ask = async (group: string) => {
      let ok = 0
      for (const it of EVAL_SET.slice(100, 130)) {
        const r = await p.http('POST', `${base}/deployments/chat-8b/${group}/v1/chat/completions`, { token: fleetToken, body: { messages: [{ role: 'user', content: it.prompt }] } })
        ok += scoreAnswer(it, r.body.choices[0].message.content)
      }
      return ok
    }
    expect(await ask('canary')).toBe(0)
    expect(await ask('stable')).toBeGreaterThan(15)
    const list = await p.http('GET', `/admin/simulator/faults?customer_id=${customer.customerId}`, { token: p.adminToken })
    expect(list.body.map((f: { id: string }) => f.id)).toContain(created.body.id)
    const cleared = await p.http('DELETE', `/admin/simulator/faults/${created.body.id}`, { token: p.adminToken })
    expect(cleared.body.active).toBe(false)
    expect(await ask('canary')).toBeGreaterThan(15)
    expect((await p.http('DELETE', `/admin/simulator/faults/${created.body.id}`, { token: p.adminToken })).status).toBe(404)
  })

  it('answers 503 from a group with no running instance', async () => {
    const c = await p.newCustomer('Empty Co')
    await p.deps.twin!.registerFleet(c.customerId, SMALL_FLEET)
    await p.deps.twin!.terminateInstances({ changeId: 'all', customerId: c.customerId, instanceIds: ['i-small-1', 'i-small-2'] })
    expect((await p.http('GET', `/sim/customers/${c.customerId}/deployments/chat-8b/stable/metrics`, { token: p.adminToken })).status).toBe(503)
    expect((await p.http('GET', `/sim/customers/${c.customerId}/instances/i-small-1/metrics`, { token: p.adminToken })).status).toBe(503)
    const chat = await p.http('POST', `/sim/customers/${c.customerId}/deployments/chat-8b/stable/v1/chat/completions`, { token: p.adminToken, body: { messages: [{ role: 'user', content: 'hello' }] } })
    expect(chat.status).toBe(503)
    expect(chat.body.error).toMatchObject({ code: 'OPT_UNAVAILABLE', type: 'server_error' }) // OpenAI's error shape on /v1/*
  })

  it('is private: only the customer\'s runtime token, a platform agent token or an admin reach the fleet', async () => {
    const path = `${base}/deployments/chat-8b/stable/metrics`
    const other = await p.newCustomer('Nosy Co')
    const othersRuntime = (await p.http('GET', `/customers/${other.customerId}/agent-install-command`, { token: other.token })).body.agent_token
    const agent = (await p.http('POST', '/orchestrator/agent-tokens', { token: p.adminToken, body: { label: 'probe' } })).body.token
    expect((await p.http('GET', path)).body).toMatchObject({ code: 'OPT_AUTH_REQUIRED' })
    expect((await p.http('GET', path, { token: customer.token })).status).toBe(403)
    expect((await p.http('GET', path, { token: othersRuntime })).status).toBe(403)
    expect((await p.http('GET', '/sim/instances/i-small-1/metrics', { token: othersRuntime })).status).toBeGreaterThanOrEqual(403)
    expect((await p.http('POST', `${base}/deployments/chat-8b/v1/chat/completions`, { body: { messages: [{ role: 'user', content: 'hi' }] } })).status).toBe(401)
    for (const token of [fleetToken, agent, p.adminToken]) expect((await p.http('GET', path, { token })).status).toBe(200)
  })
})
