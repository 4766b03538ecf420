/**
 * `validate_canary` / `validate_50_percent`: bakes the canary for a window of clock time (five
 * 1-minute intervals by default). Each interval scrapes both groups' vLLM /metrics over HTTP,
 * classifies p95/p99 latency and error rate canary-vs-stable, and sends a batch of evaluation
 * prompts to both chat endpoints for the paired quality test. An interval in which the canary
 * carried fewer requests than the error-rate rule needs is not measured yet but stretched (up to
 * `maxStretch` intervals), so a low-traffic canary bakes longer instead of ending inconclusive.
 * Successful → advance; failed or error → abort (rollback); inconclusive → extend the bake, then
 * pause for a human.
 */
import { createHash } from 'node:crypto'
import { assess } from '../../rollouts/analysis.ts'
import { errorMeasurements, extendBake, FIRST_READ_GRACE_INTERVALS, judgeGates, newBake, observeGates, sloDetail, sloMeasurements, SLO_METRICS, withLooks, type BakeState } from '../../rollouts/bake.ts'
import { endpointUrl, scrapeGroups, windowSignals, type GroupSnapshots } from '../../rollouts/measure.ts'
import { prometheusGroups } from '../../telemetry-sources/snapshot.ts'
import { listSources } from '../../telemetry-sources/store.ts'
import { decideBake, DEFAULT_BAKE, keepAccumulating, thresholdsFor, type BakeConfig } from '../../rollouts/rollout.ts'
import { collectPairs, DEFAULT_PAIRED, judgePaired, mergePairs, type PairCounts } from '../../quality/paired.ts'
import { recordQualityScore } from '../../telemetry/store.ts'
import { EVAL_SET, scoreAnswer, type EvalItem } from '../../quality/eval-set.ts'
import { refusalOrFailure } from '../../quality/refusal.ts'
import type { FleetDeployment } from '../../cloud/provider.ts'
import type { StepEnv } from '../engine.ts'
import type { Run, StepResult } from '../workflow.ts'
import { ctxOf, findDeployment, type OptimizationDeps } from './context.ts'

/** Interim looks at the quality test use a stricter alpha, so repeated peeking does not inflate false rollbacks. */
const INTERIM_ALPHA = 0.01

// The evaluation items in a fixed pseudo-random order, so every interval mixes categories.
const ITEMS: EvalItem[] = [...EVAL_SET].sort((a, b) => hashOf(a.id).localeCompare(hashOf(b.id)))
function hashOf(s: string): string { return createHash('sha256').update(s).digest('hex') }

/** A validate step at `weight`% canary traffic; `bake` overrides the defaults (tests, benchmarks). */
export function validateStep(weight: number) {
  return async (env: StepEnv<OptimizationDeps & { bake?: BakeConfig }>, run: Run): Promise<StepResult> => {
    const c = ctxOf(run)
    const cfg = env.deps.bake ?? DEFAULT_BAKE
    const b: BakeState = c.bake?.[env.stepName] ?? newBake()
    c.bake = { ...(c.bake ?? {}), [env.stepName]: b }
    const thresholds = c.thresholds ?? thresholdsFor(null)
    const detail = () => ({
      canary_weight: weight, window: b.window, intervals: b.intervals, slo: sloDetail(b, thresholds), quality: b.quality_verdict,
      ...(b.before ? { measured_via: b.before.canary.via ?? 'scrape' } : {}), ...(b.refused ? { refused: b.refused } : {}),
    })
    const resumed = c.resumed?.[env.stepName]
    if (resumed) return { kind: 'advance', detail: { ...detail(), verdict: 'inconclusive_accepted', accepted_by: resumed.by, accepted_at: resumed.at } }
    const promoted = run.promoteRequested?.step === env.stepName ? run.promoteRequested : null
    if (promoted) return { kind: 'advance', detail: { ...detail(), verdict: 'promoted', promoted_by: promoted.by, promoted_at: promoted.at, ...(b.gate_looks ? { analysis: { gates: b.gates, gate_looks: b.gate_looks } } : {}) } }
    if (b.next_at && env.now.getTime() < Date.parse(b.next_at)) return { kind: 'wait', until: new Date(b.next_at), reason: 'baking', detail: detail() }
    const { deployment } = await findDeployment(env.deps.cloud, run.customerId, c.deployment_id)
    if (!deployment?.canary) return { kind: 'abort', reason: `deployment ${c.deployment_id} has no canary group to validate`, detail: detail() }
    const scraped = await readGroups(env, deployment)
    if (!scraped.ok) return afterScrapeError(b, scraped.error, env, cfg, detail)
    if (!b.before || b.before.canary.via !== scraped.canary.via) {
      b.before = { stable: scraped.stable, canary: scraped.canary }
      b.next_at = new Date(env.now.getTime() + cfg.intervalMs).toISOString()
      return { kind: 'wait', until: new Date(b.next_at), reason: `baking at ${weight}%`, detail: detail() }
    }
    const stable = windowSignals(scraped.stable, b.before.stable)
    const canary = windowSignals(scraped.canary, b.before.canary)
    if (keepAccumulating(canary.requests, thresholds.errors.minRequests, env.now.getTime() - Date.parse(b.before.canary.at), cfg)) {
      b.next_at = new Date(env.now.getTime() + cfg.intervalMs).toISOString()
      await askPairs(b, deployment, env, cfg)
      return decide(b, run, env, cfg, () => ({ ...detail(), accumulating: `${Math.round(canary.requests)}/${thresholds.errors.minRequests} canary requests` }))
    }
    b.last = { stable, canary }
    b.before = { stable: scraped.stable, canary: scraped.canary }
    b.measurements = [...b.measurements, ...sloMeasurements(canary, stable, thresholds, env.now)]
    Object.assign(b, observeGates(b, canary, stable, c.gate_policies ?? [], thresholds))
    b.intervals += 1
    b.next_at = new Date(env.now.getTime() + cfg.intervalMs).toISOString()
    await askPairs(b, deployment, env, cfg)
    return decide(b, run, env, cfg, detail)
  }
}

/**
 * Both groups' counters: from the customer's Prometheus when it has connected one (a real fleet's
 * only door to its metrics), else scraped from each group's /metrics.
 */
async function readGroups(env: StepEnv<OptimizationDeps>, d: FleetDeployment): Promise<GroupSnapshots> {
  const now = () => env.deps.clock.now()
  const [source] = await listSources(env.deps.db, d.customerId)
  return source ? prometheusGroups(source, d.id, now) : scrapeGroups(env.deps.selfUrl(), d, now, env.deps.fleetToken())
}

async function askPairs(b: BakeState, d: FleetDeployment, env: StepEnv<OptimizationDeps>, cfg: BakeConfig): Promise<void> {
  const items = ITEMS.slice(b.prompt_offset, b.prompt_offset + cfg.promptsPerInterval)
  if (items.length === 0 || !d.endpoints.chat.canary) return
  const base = env.deps.selfUrl()
  const urls = { stable: endpointUrl(base, d.endpoints.chat.stable), canary: endpointUrl(base, d.endpoints.chat.canary) }
  const { counts, outcomes, failures, refused } = await collectPairs(items, (group, item) => ask(urls[group], item, env.deps.fleetToken(), env.signal), (item, text) => scoreAnswer(item, text) === 1)
  // a pair whose answer failed is retried in a later interval; answered items are not asked again
  b.prompt_offset += items.length - failures
  b.pairs = mergePairs(b.pairs, counts)
  b.quality_outcomes = (b.quality_outcomes ?? '') + outcomes
  if (refused.stable + refused.canary > 0) b.refused = { stable: (b.refused?.stable ?? 0) + refused.stable, canary: (b.refused?.canary ?? 0) + refused.canary }
  await recordGroupQuality(env, d, counts)
}

/** The paired answers are quality measurements too: both groups' accuracy becomes `quality_score` points. */
async function recordGroupQuality(env: StepEnv<OptimizationDeps>, d: FleetDeployment, c: PairCounts): Promise<void> {
  if (c.n === 0) return
  const at = env.deps.clock.now()
  const groups = [['stable', (c.both + c.stable_only) / c.n], ['canary', (c.both + c.canary_only) / c.n]] as const
  for (const [group, score] of groups) {
    await recordQualityScore(env.deps.db, { customerId: d.customerId, deploymentId: d.id, group, at, score, n: c.n })
  }
}

async function ask(url: string, item: EvalItem, bearer: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(url, {
    method: 'POST', signal, headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ messages: [{ role: 'user', content: item.prompt }], max_tokens: 32, temperature: 0 }),
  })
  if (!res.ok) throw refusalOrFailure(res.status, `POST ${url}`)
  const body = await res.json() as { choices?: { message?: { content?: string } }[] }
  return body.choices?.[0]?.message?.content ?? ''
}

function decide(b: BakeState, run: Run, env: StepEnv<OptimizationDeps>, cfg: BakeConfig, detail: () => Record<string, unknown>): StepResult {
  const slo = assess(b.measurements, cfg.limits, [...SLO_METRICS])
  const thresholds = ctxOf(run).thresholds ?? thresholdsFor(null)
  // the limit shown (thresholds.maxQualityDrop) is the limit used
  b.quality_verdict = judgePaired(b.pairs, { ...DEFAULT_PAIRED, maxDrop: thresholds.maxQualityDrop, alpha: slo.phase === 'running' ? INTERIM_ALPHA : DEFAULT_PAIRED.alpha })
  b.gates = judgeGates(b, ctxOf(run).gate_policies ?? [], thresholds)
  b.gate_looks = withLooks(b, b.gates, env.now)
  const decision = decideBake(slo, b.quality_verdict, b.window, cfg, b.gates.filter((g) => g.decides))
  const analysis = { phase: slo.phase, message: slo.message, metrics: slo.metrics, gates: b.gates, gate_looks: b.gate_looks }
  switch (decision.kind) {
    case 'continue':
      return { kind: 'wait', until: new Date(b.next_at!), reason: `baking (${b.intervals} interval(s) measured)`, detail: { ...detail(), analysis } }
    case 'advance':
      return { kind: 'advance', detail: { ...detail(), verdict: 'successful', analysis } }
    case 'abort':
      return { kind: 'abort', reason: decision.reason, detail: { ...detail(), verdict: 'failed', analysis } }
    case 'pause':
      return { kind: 'pause', reason: 'inconclusive_analysis', detail: { ...detail(), verdict: 'inconclusive', analysis, pause_reason: decision.reason } }
    case 'extend': {
      const next = extendBake(b, decision.reason, env.now)
      Object.assign(b, next)
      return { kind: 'wait', until: new Date(b.next_at!), reason: `analysis inconclusive, bake extended (${b.window}/${cfg.maxExtensions})`, detail: { ...detail(), verdict: 'extended', analysis } }
    }
  }
}

/** A failed scrape is an `error` measurement; past consecutiveErrorLimit the analysis errors and the rollout aborts. */
/** Unreadable telemetry is retried four times an interval. */
const retryAt = (now: Date, cfg: BakeConfig) => new Date(now.getTime() + Math.max(1000, cfg.intervalMs / 4))

function afterScrapeError(b: BakeState, error: string, env: StepEnv<OptimizationDeps>, cfg: BakeConfig, detail: () => Record<string, unknown>): StepResult {
  if (!b.before) {
    b.unreadable_since ??= env.now.toISOString()
    if (env.now.getTime() - Date.parse(b.unreadable_since) < FIRST_READ_GRACE_INTERVALS * cfg.intervalMs) {
      return { kind: 'wait', until: retryAt(env.now, cfg), reason: `waiting for both groups' first metrics (${error})`, detail: detail() }
    }
  }
  b.measurements = [...b.measurements, ...errorMeasurements(error, env.now)]
  const slo = assess(b.measurements, cfg.limits, [...SLO_METRICS])
  if (slo.phase === 'error' || slo.phase === 'failed') return { kind: 'abort', reason: `analysis ${slo.phase}: ${slo.message}`, detail: { ...detail(), verdict: slo.phase } }
  return { kind: 'wait', until: retryAt(env.now, cfg), reason: `telemetry unavailable (${error}); retrying`, detail: detail() }
}
