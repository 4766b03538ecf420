/**
 * A platform in a child process, for crash tests (kill -9) and multi-process tests on one store.
 *
 *   node --import tsx server/test/platform-child.ts --store pglite:/dir | pg:<schema> [--seed N]
 *
 * Time scale 600; the platform's fleet clock is anchored in the store, so a restarted process (or a
 * second one on the same store) continues simulated time. With `--seed N` the child registers N seed fleets for a new customer, inserts a validated spot recommendation for
 * each and approves them over HTTP. It prints one line `READY {json}` and runs until killed.
 */
import pino from 'pino'
import { configFromEnv } from '../config.ts'
import { openDb } from '../db/open.ts'
import { startPlatform } from '../platform.ts'
import { TEST_PG_URL } from './db.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor } from './optimization-fixtures.ts'

const SCALE = 600
const args = new Map<string, string>()
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '')

async function main(): Promise<void> {
  const store = args.get('store') ?? ''
  const db = store.startsWith('pg:')
    ? await openDb({ kind: 'pg', url: TEST_PG_URL, schema: store.slice(3), poolSize: 20 })
    : await openDb({ kind: 'pglite', dataDir: store.replace(/^pglite:/, '') })
  const admin = { email: 'child-admin@test.local', password: 'Child-admin-secret-1' }
  const config = configFromEnv({
    PORT: '0', OPTIINFRA_DEMO: 'false', OPTIINFRA_ADMIN_EMAIL: admin.email, OPTIINFRA_ADMIN_PASSWORD: admin.password,
    OPTIINFRA_JWT_SECRET: 'child-process-secret-for-crash-tests-0123456789', OPTIINFRA_AUTH_RATE_LIMIT: '10000',
    OPTIINFRA_TIME_SCALE: String(SCALE), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', OPTIINFRA_DATA_DIR: args.get('data') ?? '/tmp',
    OPTIINFRA_SIM_VARIATION: 'false',
  })
  const platform = await startPlatform(config, { db, log: pino({ level: config.logLevel }, pino.destination(2)) })
  process.once('SIGTERM', () => { void platform.stop().then(() => process.exit(0)) })
  const ready: Record<string, unknown> = { url: platform.url, worker: process.pid }
  const seed = Number(args.get('seed') ?? 0)
  if (seed > 0) Object.assign(ready, await seedOptimizations(platform.url, platform.deps, seed))
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`)
}

async function seedOptimizations(url: string, deps: Awaited<ReturnType<typeof startPlatform>>['deps'], n: number) {
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
    return res.json() as Promise<Record<string, string>>
  }
  const email = `crash-${process.pid}-${Date.now()}@example.com`
  const { customer_id: customerId } = await post('/auth/signup', { email, company_name: 'Crash Test Co', password: 'securepass123', plan: 'pro' })
  const { access_token: token } = await post('/auth/login', { username: email, password: 'securepass123' })
  const optimizationIds: string[] = []
  const deployments: string[] = []
  for (let i = 0; i < n; i++) {
    const dep = await registerSeedFleet(deps.twin!, customerId!, `k${i}`)
    const { plan, before, after } = await spotPlanFor(deps.twin!, customerId!, dep.id)
    const recId = await insertRecommendation(deps.db, deps.clock, { customerId: customerId!, plan, savings: before - after, before })
    optimizationIds.push((await post(`/recommendations/${recId}/approve`, {}, token)).optimization_id!)
    deployments.push(dep.id)
  }
  return { customerId, token, optimizationIds, deployments }
}

main().catch((err) => { console.error(err); process.exit(1) })
