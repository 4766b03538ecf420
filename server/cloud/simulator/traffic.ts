/**
 * Traffic profile and proposed SLO for a registered deployment, from what the customer told us (request
 * rate, observed p95, token counts, utilization) and the serving model. Pure.
 */
import { serve, type EngineConfig, type ModelSpec, type ServingStats, type TrafficProfile } from '../model/serving.ts'
import type { Slo } from '../provider.ts'
import { proposeSlo, toProviderSlo } from '../../slo/slo.ts'

/** What a fleet registration may say about a deployment's load. */
export interface TrafficHints {
  requestsPerSecond?: number
  p95LatencyMs?: number
  promptTokens?: number
  outputTokens?: number
  /** Mean GPU utilization of the instances (0..1), used only when the request rate is unknown. */
  utilization?: number
  /** Interactive (chat) rather than batch: sets the class of the proposed SLO. */
  latencyCritical?: boolean
}

/** The group the deployment runs on. */
export interface GroupShape { model: ModelSpec; config: EngineConfig; gpuType: string; gpuCount: number; instances: number }

/**
 * Daily cycle of a chat product: ±30% around the mean, peaking 15:00 UTC (US business hours).
 * Request shape when unknown: a 512-token chat turn with a 20% shared system prompt and 256-token
 * answers; when only an observed p95 is known, short-answer traffic (256-token prompts, 50% shared
 * prefix) whose answer length is fitted to that p95 (see docs/simulator.md, seed 001 calibration).
 */
export const TRAFFIC_DEFAULTS = { dailyAmplitude: 0.3, peakHourUtc: 15, prompt: 512, output: 256, prefixShare: 0.2, fitPrompt: 256, fitPrefixShare: 0.5 } as const
/** Answer lengths tried when fitting an observed p95. */
const OUTPUT_CANDIDATES = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
/** Without a rate or utilization, assume the group runs at 40% of its capacity (typical over-provisioning). */
const DEFAULT_LOAD_SHARE = 0.4

function statsFor(g: GroupShape, rps: number, prompt: number, output: number, prefixShare: number): ServingStats {
  const gpu = { gpuType: g.gpuType, gpusPerInstance: g.gpuCount, instances: g.instances }
  return serve(g.model, g.config, { ...gpu, rps, promptTokensMean: prompt, outputTokensMean: output, prefixShare })
}

function fitOutput(g: GroupShape, rps: number, p95: number): number {
  let best = OUTPUT_CANDIDATES[0]!
  let bestErr = Number.POSITIVE_INFINITY
  for (const out of OUTPUT_CANDIDATES) {
    const s = statsFor(g, rps, TRAFFIC_DEFAULTS.fitPrompt, out, TRAFFIC_DEFAULTS.fitPrefixShare)
    if (!s.fits || s.saturation >= 0.95) continue
    const err = Math.abs(Math.log(s.e2eMs.p95 / p95))
    if (err < bestErr) { best = out; bestErr = err }
  }
  return best
}

/** Traffic profile and SLO for a group given the customer's hints. */
export function deriveTraffic(g: GroupShape, h: TrafficHints): { traffic: TrafficProfile; slo: Slo } {
  const shapeKnown = h.promptTokens !== undefined || h.outputTokens !== undefined
  const fitting = !shapeKnown && h.p95LatencyMs !== undefined && h.requestsPerSecond !== undefined
  const prompt = h.promptTokens ?? (fitting ? TRAFFIC_DEFAULTS.fitPrompt : TRAFFIC_DEFAULTS.prompt)
  const prefixShare = fitting ? TRAFFIC_DEFAULTS.fitPrefixShare : TRAFFIC_DEFAULTS.prefixShare
  let output = h.outputTokens ?? TRAFFIC_DEFAULTS.output
  if (fitting) output = fitOutput(g, h.requestsPerSecond!, h.p95LatencyMs!)
  let rps = h.requestsPerSecond
  if (rps === undefined) {
    const capacity = statsFor(g, 1, prompt, output, prefixShare).maxRpsCapacity
    const share = h.utilization === undefined ? DEFAULT_LOAD_SHARE : Math.min(0.9, Math.max(0.05, h.utilization))
    rps = Number((capacity * share).toFixed(3))
  }
  const traffic: TrafficProfile = {
    baseRps: rps, dailyAmplitude: TRAFFIC_DEFAULTS.dailyAmplitude, peakHourUtc: TRAFFIC_DEFAULTS.peakHourUtc,
    promptTokensMean: prompt, outputTokensMean: output, prefixShare,
  }
  // the proposed SLO of the workload's class (server/slo), never a multiple of today's latency
  const slo: Slo = toProviderSlo(proposeSlo({ latencyCritical: h.latencyCritical === true, outputTokensMean: output }))
  return { traffic, slo }
}
