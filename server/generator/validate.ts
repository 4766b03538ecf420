/**
 * Statistical check of generated data: a one-sample Kolmogorov–Smirnov test
 * (@stdlib/stats-kstest) of each continuous per-request metric against the exact law the
 * requested distribution declares. Anomalous records are excluded (they are outliers on purpose).
 * The laws' parameters are fixed in advance, not fitted to the data, so the KS p-value is valid.
 */
import kstest from '@stdlib/stats-kstest'
import { cdf, MODELS, type Distribution, type Law } from './distributions.ts'
import { isAnomaly, type GeneratedRecord } from './generator.ts'

/** The metrics whose laws are continuous (token counts are rounded; cost is derived from them). */
export const TESTED_METRICS = { request_latency_ms: 'latencyMs', request_ttft_ms: 'ttftMs' } as const
type TestedMetric = keyof typeof TESTED_METRICS

/** Verdict for one metric. */
export interface KsResult { metric: TestedMetric; n: number; statistic: number; pValue: number; passed: boolean }

/** Verdict for a data set: passed when every tested metric is consistent with the declared law. */
export interface DistributionCheck { distribution: Distribution; alpha: number; passed: boolean; results: KsResult[] }

/**
 * KS samples are capped at 5,000 values: the test then detects a CDF gap of ~0.02 (a wrong law
 * gives 0.1+), and stdlib's exact Marsaglia–Tsang–Wang p-value, whose cost grows like n^1.5,
 * stays around 0.1–0.5 s (20k values took 5 s).
 */
export const MAX_KS_SAMPLE = 5_000

/** Collects up to MAX_KS_SAMPLE non-anomalous values per tested metric, in stream order. */
export class KsSampleCollector {
  readonly values: Record<TestedMetric, number[]> = { request_latency_ms: [], request_ttft_ms: [] }

  /** Feeds records; stops collecting a metric once it is full. */
  add(records: readonly GeneratedRecord[]): void {
    for (const r of records) {
      const m = r.series.metric
      if ((m === 'request_latency_ms' || m === 'request_ttft_ms') && !isAnomaly(r) && this.values[m].length < MAX_KS_SAMPLE) this.values[m].push(r.value)
    }
  }
}

/**
 * Tests the collected values against `distribution`'s laws. `alpha` is family-wise: each of the
 * k metrics is tested at alpha / k (Bonferroni), so correct data fails at most `alpha` of the time.
 */
export function checkDistribution(values: Record<TestedMetric, number[]>, distribution: Distribution, alpha = 0.05): DistributionCheck {
  const model = MODELS[distribution]
  const results: KsResult[] = []
  const metrics = (Object.keys(TESTED_METRICS) as TestedMetric[]).filter((m) => values[m].length >= 2)
  for (const metric of metrics) {
    const law: Law = model[TESTED_METRICS[metric]]
    const out = kstest(values[metric], (x: number) => cdf(law, x), { alpha: alpha / metrics.length })
    results.push({ metric, n: values[metric].length, statistic: out.statistic, pValue: out.pValue, passed: !out.rejected })
  }
  return { distribution, alpha, passed: results.length > 0 && results.every((r) => r.passed), results }
}

/** Convenience: collect and test one array of records. */
export function checkRecords(records: readonly GeneratedRecord[], distribution: Distribution, alpha = 0.05): DistributionCheck {
  const c = new KsSampleCollector()
  c.add(records)
  return checkDistribution(c.values, distribution, alpha)
}
