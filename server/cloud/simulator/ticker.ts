/**
 * The simulated cloud acting on its own: spot interruption notices from the seeded Poisson model
 * (AWS 120 s, GCP 30 s before reclaim), processed by a background service on the platform clock.
 * Each notice sets the reclaim time on the instance (it leaves its group then), records events
 * and publishes a live hint.
 */
import type { Logger } from 'pino'
import type { Service } from '../../services.ts'
import { spotInterruptionsBetween } from '../model/spot.ts'
import type { SimContext } from './context.ts'
import { entryOf } from './instances.ts'
import { insertEvent, recordInterruptionCheck, spotInstancesToCheck, type InstanceRow } from './store.ts'

/** An interruption notice the simulator issued. */
export interface InterruptionNotice { customerId: string; instanceId: string; deploymentId: string | null; noticeAt: Date; terminateAt: Date; reason: string }

/**
 * Issues a notice at `at` for one instance: sets the reclaim time, records both events, publishes a
 * hint. Null when another process already moved the instance's checkpoint (replicas tick too).
 */
export async function issueNotice(ctx: SimContext, r: InstanceRow, at: Date, checkedUntil: Date, reason: string): Promise<InterruptionNotice | null> {
  const noticeSeconds = entryOf(ctx.catalog, r).spot?.noticeSeconds ?? (r.cloud === 'aws' ? 120 : 30)
  const terminateAt = new Date(at.getTime() + noticeSeconds * 1000)
  const won = await ctx.db.tx(async (tx) => {
    if (!(await recordInterruptionCheck(tx, r.customer_id, r.id, r.interrupt_checked_until, checkedUntil, { at, terminateAt }))) return false
    const detail = { reason, notice_seconds: noticeSeconds, terminate_at: terminateAt.toISOString(), instance_type: r.instance_type, group: r.grp }
    await insertEvent(tx, r.customer_id, { at, kind: 'spot_interruption_notice', instance_id: r.id, deployment_id: r.deployment_id, detail })
    await insertEvent(tx, r.customer_id, { at: terminateAt, kind: 'spot_instance_reclaimed', instance_id: r.id, deployment_id: r.deployment_id, detail: { reason } })
    return true
  })
  if (!won) return null
  await ctx.live?.publish({
    type: 'simulator:instance:interrupted', customerId: r.customer_id, id: r.id,
    data: { deployment_id: r.deployment_id, notice_at: at.toISOString(), terminate_at: terminateAt.toISOString() }, at: at.toISOString(),
  }).catch(() => undefined)
  return { customerId: r.customer_id, instanceId: r.id, deploymentId: r.deployment_id, noticeAt: at, terminateAt, reason }
}

/** Looks for spot interruption notices up to `now` on every live spot instance; returns those issued. */
export async function processInterruptions(ctx: SimContext, now: Date): Promise<InterruptionNotice[]> {
  const issued: InterruptionNotice[] = []
  for (const r of await spotInstancesToCheck(ctx.db, now)) {
    const entry = entryOf(ctx.catalog, r)
    const first = entry.spot ? spotInterruptionsBetween(entry, r.id, r.interrupt_checked_until, now, ctx.seed)[0] : undefined
    const notice = first ? await issueNotice(ctx, r, first, now, 'market') : null
    if (notice) issued.push(notice)
    else if (!first) await recordInterruptionCheck(ctx.db, r.customer_id, r.id, r.interrupt_checked_until, now)
  }
  return issued
}

/**
 * Tick period in simulated ms: ~4 ticks per wall second, between 1 s and 30 s of fleet time, so a
 * 30 s GCP notice is seen before the reclaim at any scale up to 120×.
 */
export function tickIntervalMs(scale: number): number {
  return Math.min(30_000, Math.max(1_000, 250 * scale))
}

/** The background service that advances the simulated cloud. Manual clocks (tests) get no loop: call `tick()`. */
export function simulatorTicker(tick: () => Promise<unknown>, ctx: Pick<SimContext, 'clock'>, log?: Logger): Service {
  let running = false
  let loop: Promise<void> | null = null
  let lastTick: Date | null = null
  let lastError: string | null = null
  return {
    name: 'simulator',
    async start() {
      if (running || !Number.isFinite(ctx.clock.scale)) return
      running = true
      loop = (async () => {
        while (running) {
          try { await tick(); lastTick = ctx.clock.now(); lastError = null } catch (err) { lastError = (err as Error).message; log?.warn({ err }, 'simulator tick failed') }
          await ctx.clock.sleep(tickIntervalMs(ctx.clock.scale))
        }
      })()
    },
    async stop() { running = false; await loop; loop = null },
    async check() {
      if (lastError) throw new Error(`simulator tick failing: ${lastError}`)
      return lastTick ? `last tick ${lastTick.toISOString()}` : 'not ticking (manual clock or not started)'
    },
  }
}
