/**
 * The canary rollout as data: which named steps a recommendation type runs, the traffic weight of
 * each, the bake (analysis window) configuration, the limits taken from the deployment SLO and
 * the customer's preferences, and the pure decision at the end of a bake window (Argo: successful
 * → continue, failed/error → abort, inconclusive → extend the bake, then pause for a human).
 */
import type { ChangePlan, RecommendationType } from '../recommendations/recommendation.ts'
import type { FleetInstance, PoolSpec, Slo } from '../cloud/provider.ts'
import type { EngineConfig } from '../cloud/model/serving.ts'
import type { Assessment, AnalysisLimits, ErrorRateRule, UpperBoundRule } from './analysis.ts'
import type { PairedVerdict } from '../quality/paired.ts'
import type { GateLook } from '../gates/gate.ts'

/** What each named step does. */
export type StepAction = 'launch' | 'set_weight' | 'validate' | 'promote' | 'retire'

/** A step of a rollout plan. */
export interface RolloutStep { name: string; action: StepAction; weight?: number }

/** Spot migration uses the seeds' step names exactly. */
export const SPOT_MIGRATION_STEPS: RolloutStep[] = [
  { name: 'create_spot_instances', action: 'launch' },
  { name: 'deploy_canary', action: 'set_weight', weight: 10 },
  { name: 'validate_canary', action: 'validate', weight: 10 },
  { name: 'scale_to_50_percent', action: 'set_weight', weight: 50 },
  { name: 'validate_50_percent', action: 'validate', weight: 50 },
  { name: 'full_migration', action: 'promote', weight: 100 },
  { name: 'terminate_ondemand', action: 'retire' },
]

/** Every other change (config, right-sizing, consolidation, cross-cloud, ...) rolls out the same way. */
export const CANARY_ROLLOUT_STEPS: RolloutStep[] = [
  { name: 'create_canary_instances', action: 'launch' },
  { name: 'deploy_canary', action: 'set_weight', weight: 10 },
  { name: 'validate_canary', action: 'validate', weight: 10 },
  { name: 'scale_to_50_percent', action: 'set_weight', weight: 50 },
  { name: 'validate_50_percent', action: 'validate', weight: 50 },
  { name: 'full_rollout', action: 'promote', weight: 100 },
  { name: 'retire_old_instances', action: 'retire' },
]

/** The step list for a recommendation type. */
export function rolloutStepsFor(type: RecommendationType): RolloutStep[] {
  return type === 'spot_migration' ? SPOT_MIGRATION_STEPS : CANARY_ROLLOUT_STEPS
}

/** Every step name any rollout uses, with its action (the workflow definition registers them all). */
export function allRolloutSteps(): RolloutStep[] {
  const seen = new Map<string, RolloutStep>()
  for (const s of [...SPOT_MIGRATION_STEPS, ...CANARY_ROLLOUT_STEPS]) seen.set(s.name, s)
  return [...seen.values()]
}

/** Bake configuration (clock time). */
export interface BakeConfig {
  /** One measurement per metric per interval. */
  intervalMs: number
  /** Extensions of an inconclusive bake before pausing for a human. */
  maxExtensions: number
  /** Evaluation prompts sent to each group per interval (pairs accumulate across the step). */
  promptsPerInterval: number
  limits: AnalysisLimits
  /**
   * A low-traffic canary's interval stretches, up to this many intervals, until it has carried the
   * error-rate rule's minimum requests (default 10): a 10% canary of a 6 rps deployment sees ~36
   * requests a minute, and judging each minute alone would only ever be inconclusive.
   */
  maxStretch?: number
}

/** Whether an interval that carried `canaryRequests` should keep accumulating rather than be measured now. */
export function keepAccumulating(canaryRequests: number, minRequests: number, spanMs: number, cfg: Pick<BakeConfig, 'intervalMs' | 'maxStretch'>): boolean {
  return canaryRequests < minRequests && spanMs + cfg.intervalMs <= cfg.intervalMs * (cfg.maxStretch ?? DEFAULT_MAX_STRETCH)
}

const DEFAULT_MAX_STRETCH = 10

/**
 * Defaults: five 1-minute intervals (a 5-minute bake, peers §9: interval 1 min); one failed
 * interval is tolerated (a second aborts), two inconclusive ones are; 4 consecutive provider or
 * scrape errors are (Argo's default); two extensions, then a human decides.
 */
export const DEFAULT_BAKE: BakeConfig = {
  intervalMs: 60_000,
  maxExtensions: 2,
  promptsPerInterval: 12,
  limits: { failureLimit: 1, inconclusiveLimit: 2, consecutiveErrorLimit: 4, count: 5 },
}

/** Customer preferences that tighten the analysis (api/common.ts Preferences). */
export interface AnalysisPreferences { latency_slo_p95_ms?: number; latency_slo_p99_ms?: number; max_error_rate?: number }

/** The thresholds a canary is judged by. */
export interface AnalysisThresholds { p95: UpperBoundRule; p99: UpperBoundRule; errors: ErrorRateRule; maxQualityDrop: number }

/** Fallback SLO when a deployment has none: the seeds' p95 < 1000 ms, p99 < 1500 ms, errors < 0.1%. */
export const DEFAULT_SLO: Pick<Slo, 'p95Ms' | 'p99Ms' | 'maxErrorRate'> = { p95Ms: 1000, p99Ms: 1500, maxErrorRate: 0.001 }

/**
 * Thresholds from the deployment SLO, tightened (never loosened) by the customer's preferences.
 * Latency may be up to 10% worse than stable without counting as a regression, and fails only
 * when it is 25% worse; quality fails on a significant drop of more than 5 points.
 */
export function thresholdsFor(slo: Partial<Slo> | null | undefined, prefs: AnalysisPreferences = {}): AnalysisThresholds {
  const tighter = (a: number | undefined, b: number | undefined, def: number) => Math.min(a ?? def, b ?? Number.POSITIVE_INFINITY)
  return {
    p95: { limit: tighter(slo?.p95Ms, prefs.latency_slo_p95_ms, DEFAULT_SLO.p95Ms), noRegressionTolerance: 0.1, failTolerance: 0.25 },
    p99: { limit: tighter(slo?.p99Ms, prefs.latency_slo_p99_ms, DEFAULT_SLO.p99Ms), noRegressionTolerance: 0.1, failTolerance: 0.25 },
    errors: { limit: tighter(slo?.maxErrorRate, prefs.max_error_rate, DEFAULT_SLO.maxErrorRate), minRequests: 50, alpha: 0.01 },
    maxQualityDrop: 0.05,
  }
}

/** What to do at the end of (or during) a bake window. */
export type BakeDecision =
  | { kind: 'continue' }
  | { kind: 'advance'; reason: string }
  | { kind: 'extend'; reason: string }
  | { kind: 'pause'; reason: string }
  | { kind: 'abort'; reason: string }

/**
 * Combines the SLO analysis, the quality verdict and the deciding anytime-valid gates (`gates`:
 * a failure of one aborts; one that reached its record's maximum of samples pauses). Failed/Error of any aborts at once; a window still running
 * continues; at the window's end an inconclusive part extends the bake (fresh SLO measurements,
 * quality pairs keep accumulating) until `maxExtensions`, then pauses.
 */
export function decideBake(slo: Assessment, quality: PairedVerdict | null, extensions: number, cfg: Pick<BakeConfig, 'maxExtensions'>, gates: readonly GateLook[] = []): BakeDecision {
  if (slo.phase === 'failed' || slo.phase === 'error') return { kind: 'abort', reason: `analysis ${slo.phase}: ${slo.message}` }
  const failedGate = gates.find((g) => g.verdict === 'failed')
  if (failedGate) return { kind: 'abort', reason: `anytime-valid gate failed: ${failedGate.reason}` }
  if (quality?.verdict === 'fail') return { kind: 'abort', reason: `quality regression: ${quality.reason}` }
  const exhausted = gates.find((g) => g.exhausted)
  if (exhausted) return { kind: 'pause', reason: `inconclusive: ${exhausted.reason}` }
  if (slo.phase === 'running') return { kind: 'continue' }
  const open: string[] = []
  if (slo.phase === 'inconclusive') open.push(`SLO ${slo.message}`)
  if (!quality || quality.verdict === 'inconclusive') open.push(`quality ${quality?.reason ?? 'not measured'}`)
  if (open.length === 0) return { kind: 'advance', reason: `SLO successful; quality pass (${quality?.reason ?? ''})` }
  const why = `inconclusive: ${open.join('; ')}`
  return extensions < cfg.maxExtensions ? { kind: 'extend', reason: why } : { kind: 'pause', reason: why }
}

/** Recommendation types that only change the engine configuration (same pools). */
export const CONFIG_ONLY_TYPES: readonly RecommendationType[] = ['kv_cache_tuning', 'quantization', 'batching_tuning']

/** The stable group as found when a run starts. */
export interface CurrentGroup { config: EngineConfig; pools: PoolSpec[] }

/** Pools of identical instances (cloud, region, type, pricing) in a group. */
export function poolsOfInstances(instances: Pick<FleetInstance, 'cloud' | 'region' | 'instanceType' | 'pricing'>[]): PoolSpec[] {
  const by = new Map<string, PoolSpec>()
  for (const i of instances) {
    const key = `${i.cloud}|${i.region}|${i.instanceType}|${i.pricing}`
    const p = by.get(key)
    if (p) p.count += 1
    else by.set(key, { cloud: i.cloud, region: i.region, instanceType: i.instanceType, pricing: i.pricing, count: 1 })
  }
  return [...by.values()]
}

/** The engine knobs a plan changes relative to the configuration it was planned against. */
export function configPatch(target: EngineConfig, base: EngineConfig): Partial<EngineConfig> {
  return Object.fromEntries(Object.entries(target).filter(([k, v]) => base[k as keyof EngineConfig] !== v)) as Partial<EngineConfig>
}

/**
 * Re-plans a change against the fleet as it is now, for a run that waited behind another change
 * to the same deployment (sequential execution). Only what the plan itself changed is applied on
 * top of the current configuration (its patch against `baseConfig`, the configuration it was
 * planned on), so an earlier change's knobs survive; a configuration change keeps the current pools.
 */
export function rebasePlan(plan: ChangePlan, type: RecommendationType, current: CurrentGroup, baseConfig: EngineConfig): ChangePlan {
  const config = { ...current.config, ...configPatch(plan.config, baseConfig) }
  if (CONFIG_ONLY_TYPES.includes(type)) return { ...plan, pools: current.pools, config, summary: `${plan.summary} (rebased on the current pools)` }
  return { ...plan, config, summary: `${plan.summary} (rebased on the current configuration)` }
}
