import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock } from '../clock.ts'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'
import type { SpendHistory } from '../../api/spend.ts'

let p: TestPlatform
const clock = manualClock(new Date('2026-03-02T09:30:00Z'))
beforeAll(async () => { p = await startTestPlatform({ clock, workers: false }) }, 60_000)
afterAll(async () => { await p?.stop() })

const fleet = {
  instances: [
    { instance_id: 'i-chat', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8 },
    { instance_id: 'i-spare', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A10G', gpu_count: 1 },
  ],
  vllm_deployments: [{ deployment_id: 'chat', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-chat'], requests_per_second: 20 }],
}

describe('GET /customers/{id}/spend/history', () => {
  it('gives what the bill charged per hour by deployment, idle capacity apart, adding up to the bill over the window', async () => {
    const c = await p.newCustomer('History Co')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })).status).toBe(201)
    clock.advance(5 * 3_600_000)
    const r = await p.http<SpendHistory>('GET', `/customers/${c.customerId}/spend/history?days=1`, { token: c.token })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body).toMatchObject({ bucket: 'hour', to: '2026-03-02T14:30:00.000Z', deployments: ['chat', null] })
    expect(r.body.points).toHaveLength(24)
    expect(r.body.points.at(-1)).toMatchObject({ start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T14:30:00.000Z' })
    const billed = r.body.points.filter((pt) => pt.total_usd > 0)
    // registered at 09:30: half an hour, four whole hours, then half an hour so far
    expect(billed.map((pt) => pt.start.slice(11, 16))).toEqual(['09:00', '10:00', '11:00', '12:00', '13:00', '14:00'])
    const whole = billed[1]!
    const chat = whole.by_deployment.find((d) => d.deployment_id === 'chat')!.usd
    const idle = whole.by_deployment.find((d) => d.deployment_id === null)!.usd
    expect(chat).toBeGreaterThan(idle)
    expect(billed[0]!.total_usd).toBeCloseTo(whole.total_usd / 2, 1)
    const bill = await p.deps.cloud.getBill(c.customerId, new Date(r.body.from), new Date(r.body.to))
    expect(r.body.total_usd).toBeCloseTo(bill.reduce((s, l) => s + l.costUsd, 0), 1)
    const daily = (await p.http<SpendHistory>('GET', `/customers/${c.customerId}/spend/history`, { token: c.token })).body
    expect({ bucket: daily.bucket, points: daily.points.length }).toEqual({ bucket: 'day', points: 7 })
    expect(daily.total_usd).toBeCloseTo(r.body.total_usd, 1)
  })

  it('refuses other tenants, too many buckets and unknown parameters without a 500', async () => {
    const a = await p.newCustomer('A')
    const b = await p.newCustomer('B')
    expect((await p.http('GET', `/customers/${a.customerId}/spend/history`, { token: b.token })).status).toBe(403)
    const tooMany = await p.http('GET', `/customers/${a.customerId}/spend/history?days=30&bucket=hour`, { token: a.token })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body).toMatchObject({ code: 'OPT_BAD_REQUEST', requestId: expect.any(String) })
    for (const q of ['days=0', 'days=91', 'bucket=week', 'days=x', 'extra=1']) {
      const res = await p.http('GET', `/customers/${a.customerId}/spend/history?${q}`, { token: a.token })
      expect(res.status, q).toBe(400)
      expect(res.body.code, q).toMatch(/^OPT_/)
    }
  })
})
