/**
 * How agents grade what they propose: risk from weighted reasons, confidence from where the
 * evidence came from, and JSON-safe rounding of numbers shown as evidence. Pure.
 */
import type { EvidenceSource } from './agent.ts'

/** Risk: each reason carries points; ≤ 1 point is low, ≤ 3 medium, more is high. */
export function riskOf(items: { points: number; reason: string }[]): { level: 'low' | 'medium' | 'high'; reasons: string[] } {
  const total = items.reduce((s, i) => s + i.points, 0)
  return { level: total <= 1 ? 'low' : total <= 3 ? 'medium' : 'high', reasons: items.map((i) => i.reason) }
}

/** Confidence in a prediction: telemetry-backed beats model-only; estimated prices lower it. */
export function confidenceOf(source: EvidenceSource, opts: { estimate?: boolean; crossCloud?: boolean } = {}): number {
  let c = source === 'telemetry' ? 0.85 : 0.7
  if (opts.estimate) c -= 0.1
  if (opts.crossCloud) c -= 0.1
  return Math.round(c * 100) / 100
}

/** Rounds USD to cents for display in evidence (stored money is micro-dollars). */
export function cents(usd: number): number {
  return Math.round(usd * 100) / 100
}

/** A finite number for evidence JSON (Infinity is not JSON). */
export function finite(x: number, digits = 3): number | null {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : null
}
