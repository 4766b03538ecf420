import type { Deps } from './deps.ts'
import type { ComponentCheck } from './http/health.ts'
import { workflowService } from './workflows/service.ts'
import { createRuntimeService } from './runtime/service.ts'
import { createAgentsService } from './orchestrator/service.ts'
import { reconcilerService } from './reconciler/service.ts'
import { notificationService, postJson } from './notifications/dispatch.ts'

/**
 * A background component (workflow workers, agents, the agent runtime, the simulator's clock
 * tick). Loops never throw out: they log and carry on, so one failure does not stop the platform.
 */
export interface Service {
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
  /** Readiness: resolves (optionally with a detail) when healthy, throws when not. */
  check?(): Promise<string | void>
}

/** What a platform is running. */
export interface ServiceSet { services: Service[]; components: () => ComponentCheck[] }

/** The background services of one platform process, in start order. */
export function createServices(deps: Deps): ServiceSet {
  const services: Service[] = [
    { name: 'live', start: () => deps.live.start(), stop: () => deps.live.stop() },
    ...(deps.twin ? [deps.twin.ticker()] : []),
    workflowService(deps),
    createRuntimeService(deps),
    createAgentsService(deps),
    reconcilerService(deps),
    notificationService({ db: deps.db, log: deps.log, wallNow: () => new Date(), portalUrl: () => deps.selfUrl(), post: postJson }),
  ]
  return {
    services,
    components: () => services.filter((s) => s.check).map((s) => ({ name: s.name, check: s.check! })),
  }
}

/** Starts services in order; stops them in reverse. */
export async function startServices(set: ServiceSet): Promise<() => Promise<void>> {
  const started: Service[] = []
  for (const s of set.services) { await s.start(); started.push(s) }
  return async () => { for (const s of started.reverse()) await s.stop().catch(() => undefined) }
}
