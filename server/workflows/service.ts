/**
 * The workflow worker as a platform service: one engine per process running the optimization
 * workflow. Several processes on one PostgreSQL share the runs through SKIP LOCKED leases; on the
 * embedded store the single process owns them all and clears a dead predecessor's leases at start.
 */
import type { Deps } from '../deps.ts'
import type { Service } from '../services.ts'
import { createEngine, type Engine, type EngineOptions } from './engine.ts'
import { optimizationDefinition } from './optimization.ts'
import type { OptimizationDeps } from './steps/context.ts'
import type { BakeConfig } from '../rollouts/rollout.ts'

/** Optional tuning of the worker (tests and benchmarks shorten bakes). */
export interface WorkflowServiceOptions extends EngineOptions { bake?: BakeConfig }

/** The engine's dependencies from the platform's. */
export function optimizationDeps(deps: Deps, bake?: BakeConfig): OptimizationDeps & { bake?: BakeConfig } {
  return { db: deps.db, clock: deps.clock, log: deps.log, live: deps.live, cloud: deps.cloud, actuators: deps.actuators, selfUrl: () => deps.selfUrl(), fleetToken: () => deps.fleetToken(), ...(bake ? { bake } : {}) }
}

/** The workflow worker service (engine exposed for tests). */
export function workflowService(deps: Deps, opts: WorkflowServiceOptions = {}): Service & { engine: Engine } {
  const engine = createEngine(optimizationDeps(deps, opts.bake), [optimizationDefinition()], opts)
  return {
    name: 'workflows',
    engine,
    start: () => engine.start(),
    stop: () => engine.stop(),
    check: async () => `worker ${engine.workerId}`,
  }
}
