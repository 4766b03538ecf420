import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false }) }, 60_000)
afterAll(async () => { await p?.stop() })

const MODEL = 'meta-llama/Meta-Llama-3-8B-Instruct'
const fleet = {
  instances: [{ instance_id: 'x-1', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand' }],
  vllm_deployments: [{ deployment_id: 'chat', model: MODEL, instance_ids: ['x-1'], requests_per_second: 2, latency_critical: true, slo: { e2e_p95_ms: 6000, e2e_p99_ms: 9000, max_error_rate: 0.004, min_quality: 0.97 } }],
}

describe('canary gates API', () => {
  it('shows each gate with defaults from the SLO, lets the customer declare one and return it to its default, and plans the canary', async () => {
    const c = await p.newCustomer('Gates Co')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })).status).toBe(201)
    const path = `/customers/${c.customerId}/deployments/chat/gates`

    const first = (await p.http<any>('GET', path, { token: c.token })).body
    expect(first.gates.map((g: any) => [g.gate, g.source])).toEqual([['quality', 'default'], ['error_rate', 'default'], ['latency_p95', 'default']])
    expect(first.gates[1]).toMatchObject({ tolerance: 0.004, comparison: expect.stringMatching(/stable rate \+ tolerance/) })
    expect(first.plan).toMatchObject({ canary_weight: 0.1, interval_s: 60, prompts_per_interval: 12 })
    expect(first.plan.lines.map((l: any) => l.gate)).toEqual(['quality', 'error_rate', 'latency_p95'])
    expect(first.plan.lines[0]).toMatchObject({ unit: 'pairs', feasible: false })

    const body = { tolerance: 0.02, alpha: 0.01, min_samples: 40, max_samples: 300 }
    const put = await p.http<any>('PUT', `${path}/quality`, { token: c.token, body })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ gate: 'quality', ...body, source: 'declared', updated_at: expect.any(String) })
    const after = (await p.http<any>('GET', path, { token: c.token })).body
    expect(after.gates[0]).toMatchObject({ ...body, source: 'declared' })
    expect(after.plan.lines[0].needs).toBeGreaterThan(first.plan.lines[0].needs / 10)
    const audit = (await p.http<any[]>('GET', `/customers/${c.customerId}/audit?subject_id=chat`, { token: c.token })).body
    expect(audit.find((e) => e.action === 'gate:declared')?.detail).toMatchObject({ gate: 'quality', tolerance: 0.02 })

    const reset = await p.http<any>('DELETE', `${path}/quality`, { token: c.token })
    expect(reset.body).toMatchObject({ gate: 'quality', tolerance: 0.01, source: 'default' })
  })

  it('refuses a gate that makes no test, an unknown gate and another tenant, and writes nothing', async () => {
    const c = await p.newCustomer('Gates Two')
    await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })
    const path = `/customers/${c.customerId}/deployments/chat/gates`
    const bad = await p.http<any>('PUT', `${path}/error_rate`, { token: c.token, body: { tolerance: 0.01, alpha: 0.05, min_samples: 100, max_samples: 50 } })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ code: 'OPT_GATE_INVALID', message: expect.stringMatching(/max_samples/), requestId: expect.any(String) })
    expect((await p.http<any>('PUT', `${path}/error_rate`, { token: c.token, body: { tolerance: 0.01, alpha: 0.9, min_samples: 1, max_samples: 5 } })).body.code).toBe('OPT_GATE_INVALID')
    expect((await p.http('PUT', `${path}/throughput`, { token: c.token, body: { tolerance: 0.01, alpha: 0.05, min_samples: 1, max_samples: 5 } })).status).toBe(400)
    expect((await p.http<any>('GET', path, { token: c.token })).body.gates.every((g: any) => g.source === 'default')).toBe(true)

    const other = await p.newCustomer('Gates Other')
    expect((await p.http('PUT', `${path}/quality`, { token: other.token, body: { tolerance: 0.02, alpha: 0.05, min_samples: 30, max_samples: 300 } })).status).toBe(403)
    expect((await p.http('GET', path, { token: other.token })).status).toBe(403)
    expect((await p.http<any>('GET', `/customers/${c.customerId}/deployments/nope/gates`, { token: c.token })).body.code).toBe('OPT_NOT_FOUND')
  })
})
