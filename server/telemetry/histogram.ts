/**
 * Quantiles and deltas over classic (cumulative `le`) Prometheus histograms, with PromQL's
 * `histogram_quantile` semantics so numbers here match what a Grafana panel on the same metrics
 * shows.
 */
import type { Bucket } from './series.ts'

/** Re-exported so callers of the quantile helpers need a single import. */
export type { Bucket } from './series.ts'

// Prometheus treats counts this close as equal, so float noise cannot create a false decrease.
const PRECISION_TOLERANCE = 1e-12

/**
 * φ-quantile of cumulative buckets, as PromQL's `histogram_quantile` (promql/quantile.go): linear
 * interpolation inside the bucket holding rank q·total, lower bound 0 for the first bucket, and
 * the highest finite bound when the rank falls into the +Inf bucket. NaN when there are no
 * observations, fewer than two buckets, or no +Inf bucket; -Inf/+Inf for q < 0 / q > 1.
 */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number {
  if (Number.isNaN(q)) return NaN
  if (q < 0) return -Infinity
  if (q > 1) return Infinity
  const sorted = normalize(buckets)
  const last = sorted[sorted.length - 1]
  if (last === undefined || last.le !== Infinity || sorted.length < 2) return NaN
  const total = last.count
  if (!(total > 0)) return NaN
  let rank = q * total
  // First bucket (excluding +Inf) whose cumulative count reaches the rank.
  let b = sorted.findIndex((bucket, i) => i < sorted.length - 1 && bucket.count >= rank)
  if (b === -1) b = sorted.length - 1
  const upper = sorted[b] as Bucket
  if (b === sorted.length - 1) return (sorted[sorted.length - 2] as Bucket).le
  if (b === 0 && upper.le <= 0) return upper.le
  let start = 0
  let count = upper.count
  if (b > 0) {
    const prev = sorted[b - 1] as Bucket
    start = prev.le
    count -= prev.count
    rank -= prev.count
  }
  return start + (upper.le - start) * (rank / count)
}

// Sorted by `le`, duplicate bounds merged (e.g. `le="1"` and `le="1.0"` from two exporters),
// and counts forced monotonic the way Prometheus does before interpolating.
function normalize(buckets: readonly Bucket[]): Bucket[] {
  const sorted = buckets.filter((b) => !Number.isNaN(b.le)).map((b) => ({ le: b.le, count: b.count }))
  sorted.sort((a, b) => a.le - b.le)
  const merged: Bucket[] = []
  for (const bucket of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && last.le === bucket.le) last.count += bucket.count
    else merged.push(bucket)
  }
  let prev = merged[0]?.count ?? 0
  for (const bucket of merged) {
    const delta = Math.abs(bucket.count - prev)
    if (delta !== 0 && delta / bucket.count <= PRECISION_TOLERANCE) bucket.count = prev
    else prev = bucket.count
  }
  let max = -Infinity
  for (const bucket of merged) bucket.count = max = Math.max(max, bucket.count)
  return merged
}

/**
 * Per-bucket increase between two scrapes of the same histogram series. A counter reset (any
 * bucket decreased) or a changed bucket layout means the process restarted in between, so the
 * new cumulative counts are themselves the increase (PromQL's rate() does the same).
 */
export function bucketDelta(now: readonly Bucket[], before: readonly Bucket[] | undefined): Bucket[] {
  const copy = (): Bucket[] => now.map((b) => ({ le: b.le, count: b.count }))
  if (before === undefined || before.length === 0) return copy()
  const previous = new Map(before.map((b) => [b.le, b.count]))
  if (previous.size !== now.length) return copy()
  const delta: Bucket[] = []
  for (const b of now) {
    const old = previous.get(b.le)
    if (old === undefined || b.count < old) return copy()
    delta.push({ le: b.le, count: b.count - old })
  }
  return delta
}

/** Sums bucket lists by `le`, like `sum by (le)` before `histogram_quantile` in PromQL. */
export function sumBuckets(lists: readonly (readonly Bucket[])[]): Bucket[] {
  const byLe = new Map<number, number>()
  for (const list of lists) for (const b of list) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count)
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le)
}
