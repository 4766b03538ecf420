import pino from 'pino'
import { configFromEnv, type Config } from '../config.ts'
import { startPlatform, type Platform } from '../platform.ts'
import { freshDb } from './db.ts'
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'

/** A running platform seen from outside, as a test client: its URL, an admin token and HTTP helpers. */
export interface PlatformClient {
  url: string
  adminToken: string
  /** Calls the API; `token` defaults to none. Returns status and parsed JSON body. */
  http<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>
  /** Signs up a customer and logs in; returns its id and token. */
  newCustomer(name?: string): Promise<{ customerId: string; token: string; email: string; password: string }>
  stop(): Promise<void>
}

/** A real platform on a free port in this process, with its internals for tests that need them. */
export interface TestPlatform extends Platform, PlatformClient {}

let seq = 0

/**
 * Starts a real platform for one test file. Admin credentials are random per platform, the store is
 * fresh (PGlite in memory, or a new PostgreSQL schema under OPTIINFRA_TEST_DB=postgres).
 */
export async function startTestPlatform(opts: { env?: Record<string, string>; clock?: Clock; workers?: boolean; db?: Db } = {}): Promise<TestPlatform> {
  const { db, drop } = opts.db ? { db: opts.db, drop: async () => undefined } : await freshDb()
  const { adminEmail, adminPassword } = testAdmin()
  const config: Config = {
    ...configFromEnv({ PORT: '0', ...testEnv(adminEmail, adminPassword), ...opts.env }),
    ...(opts.workers === false ? { workers: false } : {}),
  }
  const platform = await startPlatform(config, { db, clock: opts.clock, log: pino({ level: config.logLevel }) })
  const client = await platformClient(platform.url, adminEmail, adminPassword, async () => { await platform.stop(); await drop() })
  return { ...platform, ...client }
}

/** The environment every test platform runs with, in-process or as a child process. */
export function testEnv(adminEmail: string, adminPassword: string): Record<string, string> {
  return {
    OPTIINFRA_DEMO: 'false', OPTIINFRA_ADMIN_EMAIL: adminEmail, OPTIINFRA_ADMIN_PASSWORD: adminPassword,
    OPTIINFRA_JWT_SECRET: `test-secret-${'x'.repeat(32)}-${seq}`, OPTIINFRA_AUTH_RATE_LIMIT: '10000', OPTIINFRA_TIME_SCALE: '600',
    // tests assert the seeds' figures: their fleets serve as registered unless a test turns variation on
    LOG_LEVEL: 'silent', OPTIINFRA_SIM_VARIATION: 'false',
  }
}

/** Random admin credentials, new for each platform. */
export function testAdmin(): { adminEmail: string; adminPassword: string } {
  seq++
  return { adminEmail: `admin-${process.pid}-${seq}@test.local`, adminPassword: `Adm1n-${Math.floor(performance.now())}-${seq}-secret` }
}

/** HTTP helpers over a listening platform; logs in as its admin. */
export async function platformClient(url: string, adminEmail: string, adminPassword: string, stop: () => Promise<void>): Promise<PlatformClient> {
  const http: PlatformClient['http'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) }
    if (o.token) headers.authorization = `Bearer ${o.token}`
    if (o.body !== undefined) headers['content-type'] ??= 'application/json'
    const res = await fetch(url + path, { method, headers, body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body) })
    const text = await res.text()
    let body: unknown = text
    try { body = text ? JSON.parse(text) : null } catch { /* not JSON: keep text */ }
    return { status: res.status, body: body as never, headers: res.headers }
  }
  const adminToken = (await http<{ access_token: string }>('POST', '/auth/login', { body: { username: adminEmail, password: adminPassword } })).body.access_token
  const newCustomer: PlatformClient['newCustomer'] = async (name = 'Acme Corp') => {
    const email = `c${++seq}-${Math.floor(performance.now() * 1000)}@example.com`
    const password = 'securepass123'
    const signup = await http<{ customer_id: string }>('POST', '/auth/signup', { body: { email, company_name: name, password, plan: 'pro' } })
    if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`)
    const login = await http<{ access_token: string }>('POST', '/auth/login', { body: { username: email, password } })
    return { customerId: signup.body.customer_id, token: login.body.access_token, email, password }
  }
  return { url, adminToken, http, newCustomer, stop }
}
/** Polls `fn` until it returns a truthy value or the deadline passes (no fixed sleeps in tests). */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = performance.now() + (opts.timeoutMs ?? 30_000)
  let last: unknown
  while (performance.now() < deadline) {
    try {
      const v = await fn()
      if (v) return v
    } catch (err) { last = err }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50))
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${(last as Error).message}` : ''}`)
}
