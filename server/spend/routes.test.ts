import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestPlatform } from '../test/platform.ts'
import { startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import type { SpendBreakdown } from '../../api/spend.ts'
import type { Dashboard } from '../../api/dashboard.ts'

let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

const fleet = {
  instances: [
    { instance_id: 'i-1', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8 },
    { instance_id: 'i-spare', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A10G', gpu_count: 1 },
  ],
  vllm_deployments: [{ deployment_id: 'chat', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-1'], avg_latency_p95: 1600, requests_per_second: 20 }],
}

describe('GET /customers/{id}/spend', () => {
  it('splits the bill by deployment, shows an instance serving nothing as idle, and prices tokens from telemetry', async () => {
    const c = await p.newCustomer()
    const reg = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })
    expect(reg.status, JSON.stringify(reg.body)).toBeLessThan(300)
    const now = p.deps.clock.now()
    for (const [type, value] of [['prompt_tokens_per_sec', 600], ['generation_tokens_per_sec', 400]] as const) {
      await p.deps.db.query(`INSERT INTO deployment_metrics (customer_id, deployment_id, "group", metric_type, ts, value) VALUES ($1, 'chat', 'stable', $2, $3, $4)`, [c.customerId, type, new Date(now.getTime() - 60_000), value])
    }
    const r = await p.http<SpendBreakdown>('GET', `/customers/${c.customerId}/spend`, { token: c.token })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const chat = r.body.deployments.find((d) => d.deployment_id === 'chat')!
    const idle = r.body.deployments.find((d) => d.deployment_id === null)!
    expect(idle).toMatchObject({ instances: 1, tokens_per_sec: null, usd_per_million_tokens: null })
    expect(idle.monthly_usd).toBeGreaterThan(0)
    expect(chat.tokens_per_sec).toBe(1000)
    expect(chat.usd_per_million_tokens).toBeCloseTo(chat.monthly_usd / (1000 * 730 * 3600) * 1e6, 3)
    const dash = (await p.http<Dashboard>('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    // read a moment apart on a ×600 clock: the trailing hour of bill moves between the two reads
    expect(r.body.monthly_usd).toBeCloseTo(dash.current_spend, 0)
    expect(chat.monthly_usd + idle.monthly_usd).toBeCloseTo(r.body.monthly_usd, 1)
  })

  it('refuses other tenants, anonymous callers and a malformed id', async () => {
    const a = await p.newCustomer()
    const b = await p.newCustomer('B')
    expect((await p.http('GET', `/customers/${a.customerId}/spend`, { token: b.token })).status).toBe(403)
    expect((await p.http('GET', `/customers/${a.customerId}/spend`)).status).toBe(401)
    expect((await p.http('GET', '/customers/nope/spend', { token: a.token })).status).toBe(400)
  })
})
