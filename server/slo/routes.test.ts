import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false }) }, 60_000)
afterAll(async () => { await p?.stop() })

const MODEL = 'meta-llama/Meta-Llama-3-8B-Instruct'
const declared = { ttft_p95_ms: 400, itl_p95_ms: 40, e2e_p95_ms: 6000, e2e_p99_ms: 9000, max_error_rate: 0.005, min_quality: 0.97 }
const fleet = {
  instances: [{ instance_id: 'x-1', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand' }, { instance_id: 'y-1', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand' }],
  vllm_deployments: [
    { deployment_id: 'chat', model: MODEL, instance_ids: ['x-1'], requests_per_second: 1, latency_critical: true, slo: declared },
    { deployment_id: 'batch', model: MODEL, instance_ids: ['y-1'], requests_per_second: 1, output_tokens: 100 },
  ],
}

describe('SLO API', () => {
  it('takes SLOs at registration, proposes the missing ones, and lets the customer declare or edit them', async () => {
    const c = await p.newCustomer('Slo Co')
    const bad = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: { ...fleet, vllm_deployments: [{ ...fleet.vllm_deployments[0], slo: { ...declared, e2e_p99_ms: 10 } }] } })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ code: 'OPT_SLO_INVALID', message: expect.stringMatching(/p99/), requestId: expect.any(String) })
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })).status).toBe(201)

    const slos = (await p.http<any[]>('GET', `/customers/${c.customerId}/slos`, { token: c.token })).body
    expect(slos.find((s) => s.deployment_id === 'chat')).toMatchObject({ ...declared, source: 'declared' })
    expect(slos.find((s) => s.deployment_id === 'batch')).toMatchObject({ source: 'proposed', ttft_p95_ms: 5000, itl_p95_ms: 200, e2e_p95_ms: 25_000 })

    const path = `/customers/${c.customerId}/deployments/batch/slo`
    const invalid = await p.http('PUT', path, { token: c.token, body: { ...declared, ttft_p95_ms: 7000 } })
    expect(invalid.status).toBe(400)
    expect(invalid.body.code).toBe('OPT_SLO_INVALID')
    const put = await p.http('PUT', path, { token: c.token, body: { e2e_p95_ms: 20_000, e2e_p99_ms: 30_000, max_error_rate: 0.01, min_quality: 0.9 } })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ deployment_id: 'batch', source: 'declared', ttft_p95_ms: null, e2e_p95_ms: 20_000 })
    expect((await p.http('GET', path, { token: c.token })).body).toMatchObject({ source: 'declared', e2e_p99_ms: 30_000 })
    const infra = (await p.http<any>('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(infra.vllm_deployments.find((d: any) => d.deployment_id === 'batch').slo).toMatchObject({ p95_ms: 20_000, p99_ms: 30_000, max_error_rate: 0.01, min_quality: 0.9 })
    const dash = (await p.http<any>('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect(dash.slo.deployments.find((d: any) => d.deployment_id === 'batch').limits).toEqual({ p95_ms: 20_000, p99_ms: 30_000, error_rate: 0.01 })
    const audit = (await p.http<any[]>('GET', `/customers/${c.customerId}/audit?subject_id=batch`, { token: c.token })).body
    expect(audit.find((e) => e.action === 'slo:declared')?.detail).toMatchObject({ e2e_p95_ms: 20_000 })

    const other = await p.newCustomer('Other Co')
    expect((await p.http('PUT', path, { token: other.token, body: declared })).status).toBe(403)
    expect((await p.http('GET', `/customers/${c.customerId}/slos`, { token: other.token })).status).toBe(403)
    expect((await p.http('PUT', `/customers/${c.customerId}/deployments/nope/slo`, { token: c.token, body: declared })).body.code).toBe('OPT_NOT_FOUND')
  })
})
