/**
 * Timing claims that used to live in functional tests, measured where timing belongs: on the demo
 * platform as `npm start` runs it (its own process, embedded store on disk, the demo's ×60 clock;
 * simulated fleet, agents, runtime all running), each figure beside a reference measured in the
 * same run on the same server. The load generator runs in this process, not on the server's loop.
 * - API: `GET /portal/customers/{id}/dashboard` under 10 connections for 5 s, beside `GET /health`
 *   (the cheapest route: what the event loop and HTTP stack cost alone). autocannon drives both.
 * - Portal: overview first load in Debian's Chromium (navigation start → figures committed, the
 *   portal's own `optiinfra:overview-figures` mark), median of 5 cold loads, beside the login
 *   page's load (no API data) measured the same way. Skipped when Chromium is absent.
 */
import { existsSync } from 'node:fs'
import autocannon from 'autocannon'
import type { BenchResult } from './bench.ts'
import { waitFor } from '../server/test/platform.ts'
import { startPlatformProcess, type PlatformProcess } from '../server/test/platform-process.ts'
import { contextWithSession, launchBrowser, type SessionSpec } from '../tests/browser/chromium.ts'

const DURATION_S = 5
const CONNECTIONS = 10

async function load(url: string, token?: string) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers: token ? { authorization: `Bearer ${token}` } : {} })
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`)
  return { rps: r.requests.average, p50: r.latency.p50, p975: r.latency.p97_5 }
}

/** Logs in as the demo customer the start banner names. */
async function demoSession(p: PlatformProcess): Promise<SessionSpec> {
  const [, email, password] = /customer login: (\S+)\s+password: (\S+)/.exec(p.output()) ?? []
  if (!email || !password) throw new Error('demo mode printed no demo customer login')
  const login = await p.http<{ access_token: string; customer_id: string }>('POST', '/auth/login', { body: { username: email, password } })
  return { token: login.body.access_token, role: 'customer', customerId: login.body.customer_id, email }
}

async function api(p: PlatformProcess, s: SessionSpec): Promise<BenchResult[]> {
  const health = await load(`${p.url}/health`)
  const dash = await load(`${p.url}/portal/customers/${s.customerId}/dashboard`, s.token)
  const note = `${CONNECTIONS} connections × ${DURATION_S} s, demo fleet running; reference /health in the same run: ${health.rps.toFixed(0)} req/s, p50 ${health.p50} ms, p97.5 ${health.p975} ms`
  return [
    { name: 'api: /health throughput (reference)', value: health.rps, unit: 'req/s', target: 5000, note: 'issue 15 target' },
    { name: 'api: dashboard throughput', value: dash.rps, unit: 'req/s', target: null, note },
    { name: 'api: dashboard latency p97.5', value: dash.p975, unit: 'ms', target: null, better: 'lower', note },
    { name: 'api: dashboard p50 ÷ /health p50', value: dash.p50 / Math.max(1, health.p50), unit: '×', target: 3, better: 'lower', note: 'issue 15: ≤ 3× /health' },
  ]
}

async function firstLoad(browserUrl: string, s: SessionSpec | null, path: string, ready: string): Promise<number> {
  const browser = await launchBrowser()
  try {
    const loads: number[] = []
    for (let i = 0; i < 5; i++) {
      const ctx = await contextWithSession(browser, s)
      const page = await ctx.newPage()
      await page.goto(`${browserUrl}${path}`)
      await page.waitForSelector(ready, { timeout: 30_000 })
      loads.push(await page.evaluate((mark) => performance.getEntriesByName(mark)[0]?.startTime ?? performance.now(), 'optiinfra:overview-figures'))
      await ctx.close()
    }
    return [...loads].sort((a, b) => a - b)[2]!
  } finally { await browser.close() }
}

async function portal(p: PlatformProcess, s: SessionSpec): Promise<BenchResult[]> {
  if (!existsSync('/usr/bin/chromium')) return [{ name: 'portal: overview first load', value: 0, unit: 'ms', target: null, note: 'skipped: /usr/bin/chromium absent' }]
  const login = await firstLoad(p.url, null, '/app/login', 'input[type=email]')
  const overview = await firstLoad(p.url, s, '/app/overview', '[data-testid=stat-current-spend-value]')
  return [
    { name: 'portal: overview first load (median of 5 cold loads)', value: overview, unit: 'ms', target: 1000, better: 'lower', note: `navigation start → figures; reference: login page ${login.toFixed(0)} ms in the same run` },
  ]
}

export async function run(): Promise<BenchResult[]> {
  // the per-token and per-address request limit (3,000/min) would answer 429 to a throughput run
  const p = await startPlatformProcess({ env: { OPTIINFRA_DEMO: 'true', OPTIINFRA_TIME_SCALE: '60', OPTIINFRA_RATE_LIMIT: '1000000' } })
  try {
    const s = await demoSession(p)
    // measured on the analysed demo fleet, not while the platform is still booting
    await waitFor(async () => {
      const d = await p.http<{ recommendations: { validated: boolean }[] }>('GET', `/portal/customers/${s.customerId}/dashboard`, { token: s.token })
      return d.body.recommendations?.some((r) => r.validated)
    }, { timeoutMs: 120_000, what: 'the demo fleet analysed' })
    return [...(await api(p, s)), ...(await portal(p, s))]
  } finally { await p.stop() }
}
