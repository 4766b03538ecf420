/**
 * The reconciler as a platform service: one replica at a time (a lease in `service_leases`) runs a
 * pass, then waits. The wait is wall time chosen so a pass comes every ~10 s of fleet time (never
 * more often than every 50 ms, never less than every second), well inside the shortest
 * interruption notice (GCP's 30 s), unless the operator sets `OPTIINFRA_RECONCILER_INTERVAL_MS`.
 */
import { hostname } from 'node:os'
import { holdLease, releaseLease } from '../db/lease.ts'
import type { Deps } from '../deps.ts'
import type { Service } from '../services.ts'
import type { ReconcilerDeps } from './act.ts'
import { lastAppliedCapacity } from './intended.ts'
import { reconcileAll, type PassReport } from './loop.ts'

const LEASE = 'reconciler'
const LEASE_MS = 30_000
/** Fleet time between passes. */
export const PASS_FLEET_MS = 10_000

/** Wall milliseconds between passes for a clock running `scale` times faster than the wall. */
export function passIntervalMs(scale: number, fixed: number | null): number {
  if (fixed !== null) return fixed
  return Math.min(1000, Math.max(50, PASS_FLEET_MS / scale))
}

/** The reconciler's dependencies from the platform's. */
export function reconcilerDeps(deps: Deps): ReconcilerDeps {
  return {
    db: deps.db, clock: deps.clock, log: deps.log, live: deps.live, cloud: deps.cloud,
    intended: lastAppliedCapacity(deps.db, () => deps.clock.now()),
    settings: { onDemandFloor: deps.config.reconcilerOnDemandFloor, spotRetryMs: deps.config.reconcilerSpotRetryMinutes * 60_000 },
  }
}

/** The reconciler service; `check` reports the last pass. */
export function reconcilerService(deps: Deps): Service {
  const r = reconcilerDeps(deps)
  const holder = `${hostname()}:${process.pid}:${Math.floor(performance.timeOrigin)}`
  const interval = passIntervalMs(deps.clock.scale, deps.config.reconcilerIntervalMs)
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  let last: (PassReport & { at: string }) | null = null
  const pass = async () => {
    try {
      if (!(await holdLease(deps.db, LEASE, holder, LEASE_MS))) return
      last = { ...(await reconcileAll(r)), at: deps.clock.now().toISOString() }
    } catch (err) { deps.log.warn({ err }, 'reconcile pass failed; retrying') }
  }
  const loop = () => { running = pass().finally(() => { if (timer) timer = setTimeout(loop, interval) }) }
  return {
    name: 'reconciler',
    start: async () => { timer = setTimeout(loop, interval) },
    stop: async () => {
      if (timer) clearTimeout(timer)
      timer = null
      await running
      await releaseLease(deps.db, LEASE, holder).catch(() => undefined)
    },
    check: async () => (last ? `last pass ${last.at}: ${last.deployments} deployment(s), ${last.actions} action(s)` : 'no pass yet (or another replica holds the lease)'),
  }
}
