/**
 * Answer quality of a deployment on the twin's evaluation set: a size-driven baseline minus
 * the quantization losses published in peers §5.2, minus any injected degradation fault.
 * The OpenAI-compatible endpoint answers evaluation prompts correctly with this probability.
 */
import { gpuSpec } from '../catalog/catalog.ts'
import { effectiveQuantization } from './engine.ts'
import type { EngineConfig, ModelSpec } from './serving.ts'

/** Evaluation conditions and injected faults for `accuracy`. */
export interface AccuracyOptions {
  /** Prompt context of the evaluated requests; long context hurts 4-bit weights. Default 2048. */
  contextTokens?: number
  /** Injected fault: absolute accuracy drop, 0..1. */
  degradation?: number
  /** When given, FP8 weights on a GPU without FP8 fall back to FP16 (no FP8 effect), as serving does. */
  gpuType?: string
}

/**
 * Baseline on our simple evaluation set, log-linear in size through 8B → 0.80 and 70B → 0.90
 * (a design choice, not a benchmark score), clamped to [0.55, 0.95].
 */
const BASELINE = { at8B: 0.8, at70B: 0.9, min: 0.55, max: 0.95 }
const DEFAULT_CONTEXT_TOKENS = 2048
/** Relative losses at short context (fractions of the baseline). */
const LOSS = {
  /** FP8 W8A8 "effectively lossless" at 8B/70B/405B (Kurtic et al.): well under 0.5 pt. */
  fp8: 0.002,
  /** INT8 W8A8 well tuned: 1–3% drop (Kurtic et al.); midpoint. */
  int8: 0.02,
  /** INT4 W4A16 at short context: "competitive with INT8" (Kurtic et al.). */
  int4: 0.02,
  /** FP8 KV cache with calibrated scales: Qwen3-235B judge 4.74 → 4.71 (−0.6%, vLLM #38652). */
  fp8KvCache: 0.006,
}
/** 8-bit weights lose ≈ 0.8% on average at 64K context (Mekala et al. 2025). */
const EIGHT_BIT_LOSS_AT_64K = 0.008
/**
 * Extra INT4 loss reached at 64K context, per family (Mekala et al.: 4-bit drops up to 59%;
 * Llama-3.1-70B −32% under NF4 while Qwen-2.5-72B is robust). Mistral/Gemma/other are not
 * reported there; we assume the middle.
 */
const INT4_LONG_CONTEXT_LOSS: Readonly<Record<ModelSpec['family'], number>> = {
  llama: 0.3,
  qwen: 0.03,
  mistral: 0.15,
  gemma: 0.15,
  other: 0.15,
}

/** Baseline accuracy of an FP16 model of this size on the evaluation set. */
export function baselineAccuracy(model: ModelSpec): number {
  const slope = (BASELINE.at70B - BASELINE.at8B) / Math.log(70 / 8)
  const raw = BASELINE.at8B + slope * Math.log(model.paramsB / 8)
  return Math.min(BASELINE.max, Math.max(BASELINE.min, raw))
}

/** 0 at ≤ 2K context, 1 at ≥ 64K, linear in log2(context) between (each doubling costs the same). */
function longContextFraction(contextTokens: number): number {
  const x = Math.log2(Math.max(contextTokens, 1) / 2048) / Math.log2(65536 / 2048)
  return Math.min(1, Math.max(0, x))
}

/** Relative quality loss from the weight format at a context length. */
export function quantizationLoss(model: ModelSpec, quantization: EngineConfig['quantization'], contextTokens: number): number {
  const longCtx = longContextFraction(contextTokens)
  switch (quantization) {
    case 'none':
      return 0
    case 'fp8':
      return LOSS.fp8 + EIGHT_BIT_LOSS_AT_64K * longCtx
    case 'int8':
      return LOSS.int8 + EIGHT_BIT_LOSS_AT_64K * longCtx
    case 'int4':
      return LOSS.int4 + INT4_LONG_CONTEXT_LOSS[model.family] * longCtx
  }
}

/** Probability (0..1) that the deployment answers an evaluation prompt correctly. */
export function accuracy(model: ModelSpec, config: EngineConfig, opts: AccuracyOptions = {}): number {
  const contextTokens = opts.contextTokens ?? DEFAULT_CONTEXT_TOKENS
  const quant = opts.gpuType === undefined ? config.quantization : effectiveQuantization(config.quantization, gpuSpec(opts.gpuType))
  const kvLoss = config.kvCacheDtype === 'fp8' ? LOSS.fp8KvCache : 0
  const kept = (1 - quantizationLoss(model, quant, contextTokens)) * (1 - kvLoss)
  const value = baselineAccuracy(model) * kept - (opts.degradation ?? 0)
  return Math.min(1, Math.max(0, value))
}
