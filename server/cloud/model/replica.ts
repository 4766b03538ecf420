/**
 * Steady-state operating point of one vLLM replica under continuous batching with chunked
 * prefill: the running batch B solves Little's law B = λ·O·t(B) (each request occupies a
 * batch slot for O decode steps of length t), and every step also carries the prefill
 * tokens that arrive meanwhile (λ·P·t). Capacity is the largest λ with such a B within the
 * batch cap and the per-step token budget. Pure functions; times in ms, rates per ms.
 */
import { memoryMs, stepMs, STEP_OVERHEAD_MS, type ReplicaPlan } from './engine.ts'

/** A step always admits at least this many prefill tokens so a full batch still makes progress. */
const MIN_PREFILL_CHUNK = 64
const BISECTION_STEPS = 60

/** Per-replica request shape and limits, derived from the load and the engine knobs. */
export interface Workload {
  promptTokens: number
  /** Prompt tokens actually computed (prefix-cache hits removed). */
  prefillTokens: number
  outputTokens: number
  /** Mean context a decoding sequence attends over: prompt + half the output. */
  contextTokens: number
  /** Mean KV tokens a sequence holds privately (shared prefix blocks excluded). */
  kvTokensPerSeq: number
  /** Shared prefix tokens held once per replica. */
  sharedKvTokens: number
  /** Concurrent sequences: min(max_num_seqs, what the KV cache holds, token budget). */
  batchCap: number
  tokenBudget: number
}

/** Mean step time at batch B when prompts arrive at λ per ms: roofline with prefill work folded in. */
export function avgStepMs(plan: ReplicaPlan, w: Workload, lambda: number, batch: number): number {
  const memoryBound = STEP_OVERHEAD_MS + memoryMs(plan, batch, w.contextTokens)
  const prefillLoad = lambda * w.prefillTokens * plan.msPerToken
  if (prefillLoad >= 1) return Number.POSITIVE_INFINITY
  // t = overhead + (B + λ·P·t)·msPerToken, solved for t
  const computeBound = (STEP_OVERHEAD_MS + batch * plan.msPerToken) / (1 - prefillLoad)
  return Math.max(memoryBound, computeBound)
}

/** Running batch B* with B = λ·O·t(B), or undefined when no B within the cap balances the load. */
export function solveBatch(plan: ReplicaPlan, w: Workload, lambda: number): number | undefined {
  if (lambda <= 0) return 0
  const excess = (b: number) => lambda * w.outputTokens * avgStepMs(plan, w, lambda, b) - b
  if (excess(w.batchCap) > 0) return undefined
  let lo = 0
  let hi = w.batchCap
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const mid = (lo + hi) / 2
    if (excess(mid) > 0) lo = mid
    else hi = mid
  }
  return hi
}

function sustainable(plan: ReplicaPlan, w: Workload, lambda: number): boolean {
  const b = solveBatch(plan, w, lambda)
  if (b === undefined) return false
  return lambda * w.prefillTokens * avgStepMs(plan, w, lambda, b) <= Math.max(w.tokenBudget - b, MIN_PREFILL_CHUNK)
}

/** Largest sustainable arrival rate of one replica, requests per ms. */
export function capacityPerMs(plan: ReplicaPlan, w: Workload): number {
  let lo = 0
  let hi = w.batchCap / (w.outputTokens * STEP_OVERHEAD_MS)
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const mid = (lo + hi) / 2
    if (sustainable(plan, w, mid)) lo = mid
    else hi = mid
  }
  return lo
}

/** Prefill tokens a step can take next to a batch of B decodes. */
export function prefillChunk(w: Workload, batch: number): number {
  return Math.max(w.tokenBudget - batch, MIN_PREFILL_CHUNK)
}

/** Time to prefill a prompt of `tokens` in budget-sized chunks next to B running decodes. */
export function prefillMs(plan: ReplicaPlan, w: Workload, batch: number, tokens: number): number {
  const avail = prefillChunk(w, batch)
  const steps = Math.max(1, tokens / avail)
  return steps * stepMs(plan, batch, w.contextTokens, batch + Math.min(avail, Math.max(tokens, 1)))
}

/** Step time of a decode-only step and of a step that also carries a prompt chunk, at batch B. */
export function stepRange(plan: ReplicaPlan, w: Workload, batch: number): { decodeOnly: number; withChunk: number } {
  const chunk = Math.min(prefillChunk(w, batch), Math.max(w.prefillTokens, 1))
  return {
    decodeOnly: stepMs(plan, batch, w.contextTokens, batch),
    withChunk: stepMs(plan, batch, w.contextTokens, batch + chunk),
  }
}
