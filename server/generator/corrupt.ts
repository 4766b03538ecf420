/**
 * Test data with known defects (seed 003 "data corruption recovery"): a clean generated stream
 * mixed, deterministically, with exact copies of some records (duplicates) and malformed records
 * of every kind ingestion must quarantine. The counts are returned, so a test or benchmark can
 * check ingestion accounted for each record: stored = unique good, duplicates and quarantined exact.
 */
import { Sampler } from './distributions.ts'
import type { GeneratedRecord } from './generator.ts'

/** Ways a record is broken, cycled in this order. */
export const CORRUPTIONS = ['nan_value', 'text_value', 'bad_ts', 'future_ts', 'no_series', 'bad_metric', 'not_object'] as const

/** A mixed stream and what is in it. */
export interface DefectiveStream { records: unknown[]; uniqueGood: number; duplicates: number; corrupt: number }

function corrupt(r: GeneratedRecord, kind: (typeof CORRUPTIONS)[number]): unknown {
  switch (kind) {
    case 'nan_value': return { ...r, value: Number.NaN }
    case 'text_value': return { ...r, value: 'fast' }
    case 'bad_ts': return { ...r, ts: 'last tuesday' }
    case 'future_ts': return { ...r, ts: r.ts + 30 * 86_400_000 }
    case 'no_series': return { ts: r.ts, value: r.value }
    case 'bad_metric': return { ...r, series: { ...r.series, metric: 'latency ms' } }
    case 'not_object': return [r.series.metric, r.ts, r.value]
  }
}

/**
 * Builds a stream of `total` records: (1 − dupRate − corruptRate)·total unique good records from
 * `good`, plus duplicates copied from them and corrupt variants, at seeded random positions.
 */
export function withDefects(good: readonly GeneratedRecord[], total: number, opts: { dupRate: number; corruptRate: number; seed: number }): DefectiveStream {
  const duplicates = Math.round(total * opts.dupRate)
  const corruptN = Math.round(total * opts.corruptRate)
  const uniqueGood = total - duplicates - corruptN
  if (good.length < uniqueGood) throw new RangeError(`need ${uniqueGood} good records, got ${good.length}`)
  const s = new Sampler(opts.seed)
  const records: unknown[] = good.slice(0, uniqueGood)
  const pick = () => good[Math.floor(s.fast() * uniqueGood)]!
  for (let i = 0; i < duplicates; i++) records.push({ ...pick() })
  for (let i = 0; i < corruptN; i++) records.push(corrupt(pick(), CORRUPTIONS[i % CORRUPTIONS.length]!))
  // Fisher–Yates with the seeded sampler: duplicates land in the same batch as their original
  // and in other batches, before and after it.
  for (let i = records.length - 1; i > 0; i--) {
    const j = Math.floor(s.fast() * (i + 1))
    const tmp = records[i]
    records[i] = records[j]
    records[j] = tmp
  }
  return { records, uniqueGood, duplicates, corrupt: corruptN }
}
