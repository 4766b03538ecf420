/**
 * Synthetic workload generator (seed 003): a seeded stream of per-request telemetry shaped like
 * ingestion records. Each request yields five records (latency, TTFT, prompt and output tokens,
 * cost) on one timestamp; timestamps strictly increase, so no two records share a series and a
 * timestamp and ingesting a generated stream stores every record. Same options → same records.
 */
import type { SeriesRef } from '../telemetry/record.ts'
import { MODELS, Sampler, type Distribution, type WorkloadModel } from './distributions.ts'

/** What to generate. */
export interface GeneratorOptions {
  seed: number
  distribution: Distribution
  /** Share of requests made anomalous (0..1); their records carry `labels.anomaly = "1"`. */
  anomalies: number
  /** Timestamp of the first request. */
  start: Date
  /** Mean requests per second (default 200). */
  ratePerSec?: number
}

/** A generated sample: an ingestion record with epoch-millisecond `ts`. */
export interface GeneratedRecord { series: SeriesRef; ts: number; value: number }

/** Per-request metrics, in emission order. */
export const REQUEST_METRICS = ['request_latency_ms', 'request_ttft_ms', 'request_prompt_tokens', 'request_output_tokens', 'request_cost_usd'] as const
export type RequestMetric = (typeof REQUEST_METRICS)[number]
/** Records per request. */
export const RECORDS_PER_REQUEST = REQUEST_METRICS.length

/** The simulated fleet the requests are spread over; prices are USD per million tokens (input, output). */
export const GENERATOR_FLEET = [
  { id: 'dep-llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', cloud: 'aws', region: 'us-east-1', share: 0.4, usdPerMTokIn: 0.05, usdPerMTokOut: 0.15 },
  { id: 'dep-llama-70b', model: 'meta-llama/Llama-3.1-70B-Instruct', cloud: 'aws', region: 'us-east-1', share: 0.2, usdPerMTokIn: 0.4, usdPerMTokOut: 1.2 },
  { id: 'dep-mistral-7b', model: 'mistralai/Mistral-7B-Instruct-v0.3', cloud: 'gcp', region: 'us-central1', share: 0.25, usdPerMTokIn: 0.04, usdPerMTokOut: 0.12 },
  { id: 'dep-qwen-32b', model: 'Qwen/Qwen2.5-32B-Instruct', cloud: 'gcp', region: 'us-central1', share: 0.15, usdPerMTokIn: 0.2, usdPerMTokOut: 0.6 },
] as const

// Anomalous requests are slowed and lengthened by a factor drawn uniformly from [4, 10):
// far outside every law's body, so a detector has something real to find.
const ANOMALY_MIN = 4
const ANOMALY_SPAN = 6
const DAY_MS = 86_400_000
const PEAK_HOUR_UTC = 15

/** A deterministic record stream. */
export class WorkloadGenerator {
  /** Records emitted so far. */
  produced = 0
  /** Records emitted with `labels.anomaly = "1"`. */
  anomalous = 0
  private readonly sampler: Sampler
  private readonly model: WorkloadModel
  private readonly series: SeriesRef[]
  private readonly meanGapMs: number
  private ts: number
  private readonly pending: GeneratedRecord[] = []

  constructor(private readonly opts: GeneratorOptions) {
    if (!(opts.anomalies >= 0 && opts.anomalies <= 1)) throw new RangeError('anomalies must be within 0..1')
    this.sampler = new Sampler(opts.seed)
    this.model = MODELS[opts.distribution]
    this.series = buildSeries()
    this.meanGapMs = 1000 / (opts.ratePerSec ?? 200)
    this.ts = opts.start.getTime()
  }

  /** Appends the next `n` records to `out` (reusing one array keeps the hot loop allocation-light). */
  fill(out: GeneratedRecord[], n: number): GeneratedRecord[] {
    for (let i = 0; i < n; i++) {
      if (this.pending.length === 0) this.nextRequest()
      out.push(this.pending.pop()!)
    }
    this.produced += n
    return out
  }

  /** The next `n` records as a new array. */
  take(n: number): GeneratedRecord[] {
    return this.fill([], n)
  }

  private nextRequest(): void {
    const s = this.sampler
    const dep = pickDeployment(s.fast())
    const anomaly = s.fast() < this.opts.anomalies
    const factor = anomaly ? ANOMALY_MIN + ANOMALY_SPAN * s.fast() : 1
    this.ts += this.gapMs(s.uniform())
    const latency = s.draw(this.model.latencyMs) * factor
    const ttft = s.draw(this.model.ttftMs) * factor
    const prompt = Math.max(1, Math.round(s.draw(this.model.promptTokens)))
    const output = Math.max(1, Math.round(s.draw(this.model.outputTokens) * factor))
    const f = GENERATOR_FLEET[dep]!
    const cost = (prompt * f.usdPerMTokIn + output * f.usdPerMTokOut) / 1e6
    const base = (dep * 2 + (anomaly ? 1 : 0)) * RECORDS_PER_REQUEST
    const ts = this.ts
    // pushed in reverse so pop() emits them in REQUEST_METRICS order
    this.pending.push(
      { series: this.series[base + 4]!, ts, value: cost },
      { series: this.series[base + 3]!, ts, value: output },
      { series: this.series[base + 2]!, ts, value: prompt },
      { series: this.series[base + 1]!, ts, value: ttft },
      { series: this.series[base]!, ts, value: latency },
    )
    if (anomaly) this.anomalous += RECORDS_PER_REQUEST
  }

  // Exponential inter-arrival at the current rate (daily cycle for production-mirror), at least
  // 1 ms so that timestamps strictly increase.
  private gapMs(u: number): number {
    const a = this.model.diurnalAmplitude
    const hour = ((this.ts % DAY_MS) + DAY_MS) % DAY_MS / 3_600_000
    const rateFactor = a === 0 ? 1 : 1 + a * Math.cos(((hour - PEAK_HOUR_UTC) / 24) * 2 * Math.PI)
    return Math.max(1, Math.round((-Math.log(1 - u) * this.meanGapMs) / rateFactor))
  }
}

function pickDeployment(u: number): number {
  let acc = 0
  for (let i = 0; i < GENERATOR_FLEET.length; i++) {
    acc += GENERATOR_FLEET[i]!.share
    if (u < acc) return i
  }
  return GENERATOR_FLEET.length - 1
}

// One shared series object per (deployment, anomaly, metric): records reference them, so a
// million records cost a million small objects, not a million label maps.
function buildSeries(): SeriesRef[] {
  const out: SeriesRef[] = []
  for (const f of GENERATOR_FLEET) {
    for (const anomaly of [false, true]) {
      for (const metric of REQUEST_METRICS) {
        const labels: Record<string, string> = { model: f.model, cloud: f.cloud, region: f.region }
        if (anomaly) labels.anomaly = '1'
        out.push({ metric, labels, deployment_id: f.id, group: 'stable' })
      }
    }
  }
  return out
}

/** True for a record the generator made anomalous. */
export function isAnomaly(r: { series: SeriesRef }): boolean {
  return r.series.labels.anomaly === '1'
}
