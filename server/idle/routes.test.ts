import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock, type ManualClock } from '../clock.ts'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'
import type { IdleInstances, TerminateIdleReply } from '../../api/idle.ts'
import type { SpendBreakdown } from '../../api/spend.ts'
import { IDLE_GRACE_MS } from './idle.ts'

let p: TestPlatform
let clock: ManualClock
beforeAll(async () => {
  clock = manualClock(new Date('2026-03-02T09:00:00Z'))
  p = await startTestPlatform({ clock, workers: false })
}, 60_000)
afterAll(async () => { await p?.stop() })

const fleet = {
  instances: [
    { instance_id: 'i-chat', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand' },
    { instance_id: 'i-spare', instance_type: 'g6e.12xlarge', region: 'us-east-1', pricing: 'on-demand' },
  ],
  vllm_deployments: [{ deployment_id: 'chat', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-chat'], requests_per_second: 1 }],
}

async function registered() {
  const c = await p.newCustomer('Idle Co')
  const reg = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })
  expect(reg.status, JSON.stringify(reg.body)).toBe(201)
  return c
}

describe('idle instances over HTTP', () => {
  it('lists an instance serving nothing once past the grace period, with what it costs from the bill', async () => {
    const c = await registered()
    const list = async () => (await p.http<IdleInstances>('GET', `/customers/${c.customerId}/idle-instances`, { token: c.token })).body
    expect((await list()).instances).toEqual([])
    clock.advance(IDLE_GRACE_MS + 60_000)
    const idle = await list()
    expect(idle.instances.map((i) => [i.instance_id, i.instance_type, i.pricing])).toEqual([['i-spare', 'g6e.12xlarge', 'on-demand']])
    const spend = (await p.http<SpendBreakdown>('GET', `/customers/${c.customerId}/spend`, { token: c.token })).body
    expect(idle.monthly_usd).toBeCloseTo(spend.deployments.find((d) => d.deployment_id === null)!.monthly_usd, 1)
    expect(idle.instances[0]!.idle_hours).toBeGreaterThanOrEqual(0.5)
  })

  it('terminates an idle instance once, audited, and the bill stops counting it', async () => {
    const c = await registered()
    clock.advance(IDLE_GRACE_MS + 60_000)
    const url = `/customers/${c.customerId}/idle-instances/i-spare/terminate`
    const first = await p.http<TerminateIdleReply>('POST', url, { token: c.token })
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body).toMatchObject({ instance_id: 'i-spare', state: 'terminated', already_terminated: false })
    expect(first.body.monthly_usd_saved).toBeGreaterThan(5000)
    const again = await p.http<TerminateIdleReply>('POST', url, { token: c.token })
    expect(again.body).toMatchObject({ state: 'terminated', already_terminated: true, monthly_usd_saved: 0 })
    clock.advance(60_000)
    const spend = (await p.http<SpendBreakdown>('GET', `/customers/${c.customerId}/spend`, { token: c.token })).body
    expect(spend.deployments.map((d) => d.deployment_id)).toEqual(['chat'])
    expect((await p.http<IdleInstances>('GET', `/customers/${c.customerId}/idle-instances`, { token: c.token })).body.instances).toEqual([])
    const audit = (await p.http<{ action: string; detail: Record<string, unknown> }[]>('GET', `/customers/${c.customerId}/audit?subject_id=i-spare`, { token: c.token })).body
    expect(audit.filter((a) => a.action === 'instance:terminated')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ monthly_usd_saved: first.body.monthly_usd_saved }) })])
  })

  it('refuses an instance that serves a deployment, unknown and malformed ids, other tenants and anonymous callers', async () => {
    const c = await registered()
    const other = await p.newCustomer('Other')
    const base = `/customers/${c.customerId}/idle-instances`
    const serving = await p.http('POST', `${base}/i-chat/terminate`, { token: c.token })
    expect(serving.status).toBe(409)
    expect(serving.body).toMatchObject({ code: 'OPT_INSTANCE_NOT_IDLE', message: expect.stringMatching(/serves deployment chat/), requestId: expect.any(String) })
    expect((await p.http('POST', `${base}/i-nope/terminate`, { token: c.token })).status).toBe(404)
    expect((await p.http('POST', `${base}/${encodeURIComponent("x' OR 1=1")}/terminate`, { token: c.token })).status).toBe(400)
    expect((await p.http('POST', `${base}/i-spare/terminate`, { token: other.token })).status).toBe(403)
    expect((await p.http('GET', base, { token: other.token })).status).toBe(403)
    expect((await p.http('GET', base)).status).toBe(401)
    const infra = (await p.http<{ instances: { instance_id: string; state?: string }[] }>('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(infra.instances.map((i) => i.instance_id).sort()).toEqual(['i-chat', 'i-spare'])
  })
})
