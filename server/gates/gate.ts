/**
 * What every canary gate reports at a look: the estimate, the confidence sequence around it, the
 * threshold it is judged against and the verdict. Verdicts keep the rollout's vocabulary.
 */

/** A gate's verdict at one look. */
export type GateVerdict = 'successful' | 'failed' | 'inconclusive'

/** One look of one gate (stored per interval in the rollout's analysis record). */
export interface GateLook {
  gate: 'quality' | 'error_rate' | 'latency_p95'
  /** Method, named (docs/gates.md cites it). */
  method: string
  /** Samples so far (paired prompts, canary requests or intervals). */
  n: number
  /** Point estimate of the gated quantity (drop in accuracy, error rate, p95 regression). */
  estimate: number | null
  /** Confidence-sequence bounds of the gated quantity at level α each side (null when not computed). */
  lower: number | null
  upper: number | null
  /** The tolerated value: above it fails, below it passes. */
  threshold: number
  alpha: number
  verdict: GateVerdict
  reason: string
  /** Samples a gate of this tolerance needs for ≥ 80% power (null when unknown). */
  needs: number | null
  /** Whether its failure rolls the canary back (set by the rollout; absent: recorded beside the decision). */
  decides?: boolean
  /** Whether the record the look was judged by was declared by the customer or the default from the SLO. */
  source?: 'declared' | 'default'
  /** An inconclusive gate that reached its record's maximum of samples: it asks for no more, a human decides. */
  exhausted?: boolean
}

/** An inconclusive look past the gate's maximum of samples is exhausted: more data is not coming. */
export function exhaust(look: GateLook, max: number | undefined, unit: string): GateLook {
  if (max === undefined || look.n < max) return look
  return { ...look, exhausted: true, reason: `${look.reason}; reached the maximum of ${max} ${unit}, a human decides` }
}

/** Formats a fraction as percentage points / percent for reasons. */
export const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`
