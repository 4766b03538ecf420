import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startTestPlatform, waitFor, type TestPlatform } from '../test/platform.ts'
import { seedInfrastructure } from '../../tests/support/fixtures.ts'
import { formatProbe, parseProbeFlags, quantile, runProbe, PROBE_DEFAULTS, type ProbeOptions } from './probe.ts'
import { probeMain } from './cli.ts'

const run = promisify(execFile)
let p: TestPlatform
let token = ''
let deploymentUrl = ''
let deploymentToken = ''

beforeAll(async () => {
  p = await startTestPlatform()
  const c = await p.newCustomer('Probe Co')
  token = c.token
  expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token, body: seedInfrastructure })).status).toBeLessThan(300)
  deploymentUrl = `${p.url}/sim/customers/${c.customerId}/deployments/vllm-prod-1`
  // the simulated fleet answers its own credentials: the customer's runtime token
  deploymentToken = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token })).body.agent_token
  await waitFor(async () => (await fetch(`${deploymentUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${deploymentToken}` }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) })).ok, { what: 'deployment serving' })
}, 60_000)
afterAll(async () => { await p?.stop() })

const opts = (o: Partial<ProbeOptions>): ProbeOptions => ({ url: p.url, ...PROBE_DEFAULTS, requests: 5, maxP95Ms: 10_000, deploymentToken, ...o })

describe('synthetic probe', () => {
  it('passes when health, readiness, the API and the deployment meet their SLOs', async () => {
    const r = await runProbe(opts({ token, deploymentUrl, maxErrorRate: 0 }))
    expect(r.missed).toEqual([])
    expect(r.ok).toBe(true)
    expect(r.checks.map((c) => c.name)).toEqual(['GET /health', 'GET /ready', 'GET /customers (token)', 'chat completions ×5'])
    const chat = r.checks[3]!
    expect(chat.error_rate).toBe(0)
    expect(chat.p95_ms).toBeGreaterThan(0)
    expect(formatProbe(r)).toMatch(/PROBE OK/)
  })

  it('fails naming the latency SLO when p95 exceeds the limit', async () => {
    const r = await runProbe(opts({ deploymentUrl, maxP95Ms: 0.001 }))
    expect(r.ok).toBe(false)
    expect(r.missed.find((m) => m.startsWith('chat completions'))).toMatch(/p95 [\d.]+ ms > 0.001 ms/)
    expect(formatProbe(r)).toMatch(/PROBE FAILED: SLO missed/)
  })

  it('fails naming the error-rate SLO when completions fail, and a bad token fails the API check', async () => {
    const r = await runProbe(opts({ token: 'not-a-token', deploymentUrl: deploymentUrl.replace('vllm-prod-1', 'no-such-deployment'), requests: 3 }))
    expect(r.ok).toBe(false)
    const chat = r.checks.find((c) => c.name.startsWith('chat'))!
    expect(chat.error_rate).toBe(1)
    expect(chat.detail).toMatch(/error rate 100.00% > 0.10%/)
    expect(r.checks.find((c) => c.name.startsWith('GET /customers'))!.detail).toBe('HTTP 401')
  })

  it('rejects bad arguments with exit code 2 and reports the reason', async () => {
    const errs: string[] = []
    const io = { out: () => {}, err: (s: string) => errs.push(s) }
    expect(await probeMain({}, io)).toBe(2)
    expect(await probeMain({ url: p.url, maxP95Ms: 'fast' }, io)).toBe(2)
    expect(await probeMain({ url: p.url, maxErrorRate: '2' }, io)).toBe(2)
    expect(await probeMain({ url: 'ftp://x' }, io)).toBe(2)
    expect(errs[0]).toMatch(/--url must be/)
    expect(parseProbeFlags({ url: p.url, requests: '0' })).toEqual({ error: '--requests must be an integer 1..10000' })
    expect(quantile([5, 1, 3, 2, 4], 0.95)).toBe(5)
    expect(quantile([], 0.95)).toBeNull()
  })

  it('runs as a real child process: exit 0 when SLOs hold, 1 with the missed SLO named, 2 on bad flags', async () => {
    const cli = (args: string[]) => run(process.execPath, ['bin/optiinfra.js', 'probe', ...args], { cwd: process.cwd(), timeout: 30_000 })
      .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }))
    const ok = await cli(['--url', p.url, '--deployment-url', deploymentUrl, '--deployment-token', deploymentToken, '--requests', '3', '--max-p95-ms', '10000', '--max-error-rate', '0'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/chat completions ×3\s+OK/)
    const slow = await cli(['--url', p.url, '--deployment-url', deploymentUrl, '--deployment-token', deploymentToken, '--requests', '3', '--max-p95-ms', '0.001'])
    expect(slow.code).toBe(1)
    expect(slow.stderr).toMatch(/PROBE FAILED: SLO missed — .*p95/)
    expect((await cli(['--url', p.url, '--bogus'])).code).toBe(2)
  }, 60_000)
})
