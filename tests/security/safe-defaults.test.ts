import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { configFromEnv } from '../../server/config.ts'
import { createDeps } from '../../server/deps.ts'
import { startTestPlatform } from '../../server/test/platform.ts'

// tags: security — defaults an operator can run as they are: plain HTTP works, the store is private

async function portalHeaders(env: Record<string, string>) {
  const p = await startTestPlatform({ workers: false, env })
  try {
    const res = await fetch(`${p.url}/health`)
    return { csp: res.headers.get('content-security-policy') ?? '', hsts: res.headers.get('strict-transport-security') }
  } finally { await p.stop() }
}

async function* walk(dir: string): AsyncGenerator<string> {
  yield dir
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) yield* walk(p)
    else if (e.isFile()) yield p
  }
}

describe('security: safe defaults', () => {
  it('test_portal_works_over_plain_http_unless_https_is_declared', async () => {
    const plain = await portalHeaders({})
    expect(plain.csp).toContain("script-src 'self'")
    expect(plain.csp).not.toContain('upgrade-insecure-requests')
    expect(plain.hsts).toBeNull()
    const tls = await portalHeaders({ OPTIINFRA_HTTPS: 'true' })
    expect(tls.csp).toContain('upgrade-insecure-requests')
    expect(tls.hsts).toMatch(/max-age=\d+/)
  })

  it('test_platform_metrics_and_the_simulated_fleet_need_a_credential', async () => {
    const p = await startTestPlatform({ workers: false })
    try {
      const c = await p.newCustomer('Metrics Corp')
      expect((await p.http('GET', '/metrics')).status).toBe(401)
      expect((await p.http('GET', '/metrics', { token: c.token })).status).toBe(403)
      const admin = await fetch(`${p.url}/metrics`, { headers: { authorization: `Bearer ${p.adminToken}` } })
      expect(admin.status).toBe(200)
      expect(await admin.text()).toContain('process_cpu_seconds_total')
      const agent = (await p.http('POST', '/orchestrator/agent-tokens', { token: p.adminToken, body: { label: 'prometheus' } })).body.token
      expect((await p.http('GET', '/metrics', { token: agent })).status).toBe(200)
      // the simulated fleet's endpoints: no anonymous scrape, no chat
      expect((await p.http('GET', `/sim/customers/${c.customerId}/deployments/x/stable/metrics`)).status).toBe(401)
      expect((await p.http('POST', `/sim/customers/${c.customerId}/deployments/x/v1/chat/completions`, { body: { messages: [{ role: 'user', content: 'hi' }] } })).status).toBe(401)
    } finally { await p.stop() }
  })

  it('test_embedded_store_and_secret_are_owner_only', async () => {
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'optiinfra-data-')), 'data')
    const config = configFromEnv({ OPTIINFRA_DATA_DIR: dataDir, OPTIINFRA_DEMO: 'false', LOG_LEVEL: 'silent' })
    const deps = await createDeps(config, { log: pino({ level: 'silent' }) })
    try {
      const open: string[] = []
      for await (const p of walk(dataDir)) if (((await stat(p)).mode & 0o077) !== 0) open.push(p)
      expect(open).toEqual([])
      expect((await stat(path.join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600)
    } finally {
      await deps.db.close()
      await rm(path.dirname(dataDir), { recursive: true, force: true })
    }
  }, 60_000)
})
