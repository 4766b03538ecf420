import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { waits } from '../support/api.ts'

// tags: e2e — issue 11 item 2 through the API: on a twin whose deployments serve unlike their
// registration (hidden variation, as `npm start` runs it), the agents' recommendations rest on the
// workload learned from telemetry, and the learned request rate is the one the metrics API shows.
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ env: { OPTIINFRA_SIM_VARIATION: 'true' } }) })
afterAll(async () => { await p?.stop() })

const FLEET = {
  instances: [1, 2, 3, 4].map((k) => ({ instance_id: `i-l40s-${k}`, instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand' })),
  vllm_deployments: [{ deployment_id: 'chat-8b', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: [1, 2, 3, 4].map((k) => `i-l40s-${k}`), requests_per_second: 6, prompt_tokens: 512, output_tokens: 128 }],
}

describe('e2e: the agents learn the fleet from its telemetry', () => {
  it('recommends from the learned rate, request shape and GPU speed, shown beside the registration @p1', async () => {
    const { customerId, token } = await p.newCustomer('Learning Corp')
    const wait = waits(p, token)
    expect((await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: FLEET })).status).toBeLessThan(300)
    // the registration is what the provider reports; the twin serves something else
    const infra = (await p.http<any>('GET', `/customers/${customerId}/infrastructure`, { token })).body
    expect(JSON.stringify(infra)).not.toContain('hidden')
    await waitFor(async () => ((await p.http<unknown[]>('GET', `/customers/${customerId}/metrics?metric_type=throughput_rps&deployment_id=chat-8b`, { token })).body?.length ?? 0) >= 10 || undefined, { what: 'ten throughput points' })

    expect((await p.http('POST', `/customers/${customerId}/analyze`, { token, body: { agent_type: 'all' } })).body.status).toBe('started')
    const rec = await wait.recommendation(customerId, (r) => r.deployment_id === 'chat-8b' && r.evidence?.data_used?.basis === 'telemetry', 120_000)
    const w = rec.evidence.data_used.workload
    expect(w).toMatchObject({ rate: 'telemetry', request_shape: 'telemetry', registered: { prompt_tokens_mean: 512, output_tokens_mean: 128 } })
    // the twin serves unlike its registration: its rate, prompt and answer lengths are each drawn 0.8–1.25×, so not
    // all three can sit within 1% of the registered figures (about 1 in 10,000 draws would)
    const ratios = [w.prompt_tokens_mean / 512, w.output_tokens_mean / 128, w.rps_now / w.registered.rps_now]
    expect(ratios.some((r) => Math.abs(r - 1) > 0.01), JSON.stringify(ratios)).toBe(true)
    for (const r of ratios.slice(0, 2)) {
      expect(r).toBeGreaterThanOrEqual(0.79)
      expect(r).toBeLessThanOrEqual(1.26)
    }
    expect(w.gpu_efficiency).toBeGreaterThanOrEqual(0.5)
    expect(w.gpu_efficiency).toBeLessThanOrEqual(2)

    // the learned rate and prompt length are what the metrics API shows over the analysis window
    const window = `&start_time=${encodeURIComponent(rec.evidence.data_used.window_from)}&end_time=${encodeURIComponent(rec.evidence.data_used.window_to)}`
    const mean = async (type: string) => {
      const points = (await p.http<{ value: number }[]>('GET', `/customers/${customerId}/metrics?metric_type=${type}&deployment_id=chat-8b${window}`, { token })).body
      expect(points.length, type).toBeGreaterThan(0)
      return points.reduce((s, x) => s + x.value, 0) / points.length
    }
    const rps = await mean('throughput_rps')
    expect(w.rps_now / rps).toBeGreaterThan(0.9)
    expect(w.rps_now / rps).toBeLessThan(1.1)
    const prompt = (await mean('prompt_tokens_per_sec')) / rps
    expect(w.prompt_tokens_mean / prompt).toBeGreaterThan(0.9)
    expect(w.prompt_tokens_mean / prompt).toBeLessThan(1.1)
  })
})
