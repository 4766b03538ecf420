/**
 * Cost over time: what the bill charged in each hour or day of a window, split by the deployment
 * each instance served (null: billed while serving none, idle). Each bucket is read from the
 * provider's bill for exactly that bucket, so the buckets add up to the bill over the window.
 */
import type { BillLine } from '../cloud/provider.ts'
import type { BillReader } from './run-rate.ts'

/** Bucket sizes the history can be read in. */
export const SPEND_BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const
export type SpendBucket = keyof typeof SPEND_BUCKETS
/** Most buckets one history reads (one bill read each): 90 days, or 3 days of hours. */
export const MAX_SPEND_BUCKETS = 90

/** One bucket of the history. */
export interface SpendBucketTotal { start: Date; end: Date; totalUsd: number; byDeployment: Map<string | null, number> }

/** What the bill charged per deployment in one bucket's lines. Pure. */
export function bucketTotal(lines: BillLine[], start: Date, end: Date): SpendBucketTotal {
  const byDeployment = new Map<string | null, number>()
  for (const l of lines) byDeployment.set(l.deploymentId, (byDeployment.get(l.deploymentId) ?? 0) + l.costUsd)
  return { start, end, totalUsd: [...byDeployment.values()].reduce((a, b) => a + b, 0), byDeployment }
}

/** Bucket boundaries: `count` buckets aligned to UTC hours or days, the last one holding `to`. Pure. */
export function bucketBounds(to: Date, bucket: SpendBucket, count: number): { start: Date; end: Date }[] {
  const size = SPEND_BUCKETS[bucket]
  const lastEnd = Math.ceil(to.getTime() / size) * size
  // the bucket still running ends at `to`: its cost so far, not an extrapolation
  const ends = Array.from({ length: count }, (_, k) => lastEnd - size * (count - 1 - k))
  return ends.map((e) => ({ start: new Date(e - size), end: new Date(Math.min(e, to.getTime())) }))
}

/** The bill over `count` buckets ending at `to` (the last one partial, up to `to`). */
export async function spendHistory(cloud: Pick<BillReader, 'getBill'>, customerId: string, to: Date, bucket: SpendBucket, count: number): Promise<SpendBucketTotal[]> {
  if (!(count >= 1 && count <= MAX_SPEND_BUCKETS)) throw new RangeError(`spend history reads 1 to ${MAX_SPEND_BUCKETS} buckets`)
  return Promise.all(bucketBounds(to, bucket, count).map(async ({ start, end }) => bucketTotal(await cloud.getBill(customerId, start, end), start, end)))
}

/** Deployments of a history by what they cost over it, most first (idle last among equals). Pure. */
export function deploymentsByCost(history: SpendBucketTotal[]): (string | null)[] {
  const totals = new Map<string | null, number>()
  for (const b of history) for (const [d, usd] of b.byDeployment) totals.set(d, (totals.get(d) ?? 0) + usd)
  return [...totals].sort((a, b) => b[1] - a[1] || (a[0] === null ? 1 : b[0] === null ? -1 : a[0].localeCompare(b[0]))).map(([d]) => d)
}
