/**
 * Synthetic workload generation speed (seed 003 target: 1M records/s), per distribution, plus
 * the cost of the KS validation and of JSONL serialization that `optiinfra generate --out` adds.
 */
import { WorkloadGenerator, type GeneratedRecord } from '../server/generator/generator.ts'
import { DISTRIBUTIONS } from '../server/generator/distributions.ts'
import { checkRecords } from '../server/generator/validate.ts'
import { timed, type BenchResult } from './bench.ts'

const RECORDS = 2_000_000
const CHUNK = 10_000
const TARGET = 1_000_000

/** Records generated per second, streaming in chunks as the CLI does (one reused array). */
async function generationRate(distribution: (typeof DISTRIBUTIONS)[number]): Promise<number> {
  const gen = new WorkloadGenerator({ seed: 42, distribution, anomalies: 0.01, start: new Date('2026-01-01T00:00:00Z') })
  const buf: GeneratedRecord[] = []
  gen.fill(buf, CHUNK) // warm-up: let V8 optimize the hot loop before timing
  const { seconds } = await timed(() => {
    for (let done = 0; done < RECORDS; done += CHUNK) { buf.length = 0; gen.fill(buf, CHUNK) }
  })
  return RECORDS / seconds
}

/** Runs the generation suite. */
export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = []
  for (const d of DISTRIBUTIONS) {
    out.push({ name: `generation ${d}`, value: await generationRate(d), unit: 'records/s', target: TARGET, note: `${RECORDS / 1e6}M records, 1% anomalies, in 10k chunks` })
  }
  const sample = new WorkloadGenerator({ seed: 1, distribution: 'production-mirror', anomalies: 0.01, start: new Date(0) }).take(200_000)
  const ks = await timed(() => checkRecords(sample, 'production-mirror'))
  out.push({ name: 'generation KS validation', value: ks.seconds * 1000, unit: 'ms', target: null, better: 'lower', note: `2 metrics × ${ks.result.results[0]?.n} values, p=${ks.result.results.map((r) => r.pValue.toFixed(3)).join('/')}` })
  const json = await timed(() => { let n = 0; for (const r of sample) n += JSON.stringify(r).length; return n })
  out.push({ name: 'generation JSONL serialization', value: sample.length / json.seconds, unit: 'records/s', target: null, note: `${(json.result / sample.length).toFixed(0)} bytes/record` })
  return out
}
