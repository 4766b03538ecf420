/**
 * The embedded agent runtime: in the one-process default, the platform runs the same runtime
 * code a customer would install, for every customer that has a fleet, over real HTTP against the
 * platform's own URL (scrape the simulator's /metrics, push to /telemetry/ingest with a runtime
 * token). It also runs the telemetry rollup/retention job, then the embedded store's
 * vacuum/analyze (PGlite has no autovacuum). One replica at a time runs it (a lease in the store);
 * the others stand by. Fleet time: the interval is in simulated seconds (`deps.clock`).
 */
import { hostname } from 'node:os'
import { randomUUID } from 'node:crypto'
import type { Deps } from '../deps.ts'
import type { Service } from '../services.ts'
import { systemClock } from '../clock.ts'
import { rollup } from '../telemetry/rollup.ts'
import { maintain } from '../db/maintain.ts'
import { holdLease, releaseLease } from '../db/lease.ts'
import { createRuntimeToken, revokeTokens } from './token.ts'
import { customersWithSources } from '../telemetry-sources/store.ts'
import { pollAllSources } from '../telemetry-sources/poll.ts'
import { RuntimeLoop, type TickReport } from './runtime.ts'

/** Options of the embedded runtime service. */
export interface RuntimeServiceOptions {
  /** The platform's own URL, known once it listens; ticks wait until it returns a value. */
  baseUrl: () => string | undefined
  /** Scrape interval in clock seconds (default `deps.config.scrapeIntervalSeconds`). */
  intervalSeconds?: number
  /** Called after each customer's tick (tests observe progress with it). */
  onTick?: (customerId: string, report: TickReport) => void
}

/** How often the rollup/retention job runs, in clock time: a minute bucket is final a minute later. */
export const ROLLUP_EVERY_MS = 5 * 60_000
// Scraping and storing cost wall time however fast fleet time runs: at most 2 rounds per wall
// second, so on the single-connection embedded store the runtime never crowds out API requests
// (at ×600 a 30 s interval becomes 300 s of fleet time; rates use the real gap between scrapes;
// canary analysis scrapes the groups itself and does not depend on this cadence).
const MIN_WALL_GAP_MS = 500

/** The lease that makes one replica the embedded runtime; the others stand by and take over when it lapses. */
export const RUNTIME_LEASE = 'embedded-runtime'
// Several rounds long, so a slow round does not hand the fleet over; a crashed holder's fleets
// are picked up by another replica within this much wall time.
const LEASE_MIN_MS = 15_000

/** The runtime service; `tick()` runs one round by hand (what tests on a manual clock do). */
export interface RuntimeService extends Service { tick(): Promise<void> }

/**
 * Creates the service. start() returns at once; the loop runs until stop(). On a manual clock
 * (infinite scale, tests) there is no loop, as for the simulator's ticker: call `tick()`.
 */
export function createRuntimeService(deps: Deps, opts: RuntimeServiceOptions = { baseUrl: () => deps.selfUrl() }): RuntimeService {
  const loops = new Map<string, { loop: RuntimeLoop; tokenId: string }>()
  const intervalMs = (opts.intervalSeconds ?? deps.config.scrapeIntervalSeconds) * 1000
  let stopping = false
  let wake: () => void = () => undefined
  let running: Promise<void> | null = null
  let lastRollup = Number.NEGATIVE_INFINITY
  let lastError: string | null = null
  let standby = false
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`
  const leaseMs = Math.max(LEASE_MIN_MS, 4 * Math.max(intervalMs / deps.clock.scale, MIN_WALL_GAP_MS))

  async function syncCustomers(base: string, polled: Set<string>): Promise<void> {
    const customers = await deps.db.query<{ id: string }>('SELECT id FROM customers ORDER BY created_at, id')
    for (const { id } of customers) {
      if (loops.has(id) || polled.has(id)) continue
      const fleet = await deps.cloud.listResources(id)
      if (!fleet.deployments.length) continue
      const minted = await createRuntimeToken(deps.db, id, `embedded runtime (${hostname()} pid ${process.pid})`)
      loops.set(id, { loop: new RuntimeLoop({ server: base, token: minted.token, intervalSeconds: intervalMs / 1000, clock: deps.clock, log: deps.log }), tokenId: minted.id })
    }
  }

  async function tickAll(): Promise<void> {
    const base = opts.baseUrl()
    if (!base) return
    standby = !(await holdLease(deps.db, RUNTIME_LEASE, holder, leaseMs))
    if (standby) return
    // a customer with a telemetry source (its Prometheus) is polled there, not scraped here
    const polled = await customersWithSources(deps.db)
    await syncCustomers(base, polled)
    await Promise.all([
      ...[...loops].filter(([customerId]) => !polled.has(customerId)).map(async ([customerId, { loop }]) => {
        const report = await loop.tick()
        opts.onTick?.(customerId, report)
      }),
      pollAllSources(deps),
    ])
    const now = deps.clock.now().getTime()
    if (now - lastRollup >= ROLLUP_EVERY_MS) {
      lastRollup = now
      await rollup(deps.db, deps.clock)
      const kept = await maintain(deps.db)
      if (kept.vacuumed.length + kept.analyzed.length > 0) deps.log.debug(kept, 'embedded store maintained')
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      const started = deps.clock.now().getTime()
      try {
        await tickAll()
        lastError = null
      } catch (err) {
        lastError = (err as Error).message
        deps.log.warn({ err }, 'embedded runtime tick failed')
      }
      const waitMs = Math.max(0, started + intervalMs - deps.clock.now().getTime())
      await Promise.race([Promise.all([deps.clock.sleep(waitMs), systemClock.sleep(MIN_WALL_GAP_MS)]), new Promise<void>((r) => { wake = r })])
    }
  }

  return {
    name: 'runtime',
    tick: tickAll,
    async start() {
      stopping = false
      if (Number.isFinite(deps.clock.scale)) running ??= run()
    },
    async stop() {
      stopping = true
      wake()
      await running
      running = null
      await revokeTokens(deps.db, [...loops.values()].map((l) => l.tokenId), deps.clock).catch(() => undefined)
      loops.clear()
      await releaseLease(deps.db, RUNTIME_LEASE, holder).catch(() => undefined)
    },
    async check() {
      if (lastError) throw new Error(`last tick failed: ${lastError}`)
      if (standby) return 'standby: another replica runs the embedded runtime'
      return running ? `${loops.size} customer fleet(s) scraped every ${intervalMs / 1000} s` : 'not looping (manual clock or not started)'
    },
  }
}
