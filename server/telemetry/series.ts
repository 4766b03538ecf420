/**
 * Helpers shared by the signal adapters: sample lookup by name across families and identity of
 * a series by its label set, so two scrapes can be matched series by series.
 */
import { parseFloatToken } from './prometheus-number.ts'
import type { MetricFamily, Sample } from './prometheus.ts'

/** Cumulative histogram bucket: observations <= `le`. */
export interface Bucket {
  le: number
  count: number
}

/** One histogram series (label set without `le`) with its buckets sorted by `le`. */
export interface HistogramSeries {
  labels: Record<string, string>
  buckets: Bucket[]
  sum?: number
  count?: number
}

/**
 * Canonical identity of a label set (order-independent), optionally ignoring some labels such
 * as `le`, so series from different scrapes or exporters compare equal.
 */
export function seriesKey(labels: Record<string, string>, ...omit: string[]): string {
  const entries = Object.entries(labels).filter(([key]) => !omit.includes(key))
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return JSON.stringify(entries)
}

/**
 * Samples grouped by sample name across all families. Adapters look samples up by their wire
 * name because family naming differs between exposition flavours (`x_total` family in 0.0.4
 * from prometheus_client, `x` family in OpenMetrics, same `x_total` samples in both).
 */
export function indexSamples(families: readonly MetricFamily[]): Map<string, Sample[]> {
  const index = new Map<string, Sample[]>()
  for (const family of families) {
    for (const sample of family.samples) {
      const list = index.get(sample.name)
      if (list === undefined) index.set(sample.name, [sample])
      else list.push(sample)
    }
  }
  return index
}

/** Histogram series of `base` (from `base_bucket`, `base_sum`, `base_count`) keyed by seriesKey. */
export function histogramSeries(index: ReadonlyMap<string, Sample[]>, base: string): Map<string, HistogramSeries> {
  const out = new Map<string, HistogramSeries>()
  const entry = (labels: Record<string, string>): HistogramSeries => {
    const key = seriesKey(labels, 'le')
    let series = out.get(key)
    if (series === undefined) {
      const { le: _le, ...rest } = labels
      series = { labels: rest, buckets: [] }
      out.set(key, series)
    }
    return series
  }
  for (const s of index.get(`${base}_bucket`) ?? []) {
    const le = parseFloatToken(s.labels.le ?? '')
    if (le !== undefined && !Number.isNaN(le)) entry(s.labels).buckets.push({ le, count: s.value })
  }
  for (const s of index.get(`${base}_sum`) ?? []) entry(s.labels).sum = s.value
  for (const s of index.get(`${base}_count`) ?? []) entry(s.labels).count = s.value
  for (const series of out.values()) series.buckets.sort((a, b) => a.le - b.le)
  return out
}
