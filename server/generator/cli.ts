/**
 * `optiinfra generate`: the command-line face of the synthetic workload generator.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import cliProgress from 'cli-progress'
import { DISTRIBUTIONS, type Distribution } from './distributions.ts'
import { runGenerate, type GenerateSink, type GenerateSummary } from './run.ts'

interface GenerateFlags {
  records: number; seed: number; distribution: Distribution; anomalies: number; start?: string; rate?: number
  out?: string; ingest?: boolean; server?: string; token?: string
}

const intArg = (min: number) => (v: string) => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`)
  return n
}
const fractionArg = (v: string) => {
  const n = Number(v)
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1')
  return n
}

/** Registers `generate` on the program. */
export function registerGenerateCommand(program: Command): void {
  program.command('generate').description('generate a seeded synthetic LLM-serving workload (JSONL file or ingestion)')
    .requiredOption('--records <n>', 'number of records', intArg(1))
    .option('--seed <s>', 'random seed (same seed → same data)', intArg(0), 42)
    .addOption(new Option('--distribution <d>', 'value distribution').choices([...DISTRIBUTIONS]).default('production-mirror'))
    .option('--anomalies <rate>', 'share of requests made anomalous, labelled anomaly="1"', fractionArg, 0.01)
    .option('--start <iso>', 'timestamp of the first request (default: 2026-01-01 for files, aligned to the platform clock when ingesting)')
    .option('--rate <rps>', 'mean requests per second of the synthetic traffic', intArg(1))
    .option('--out <file>', 'write JSON Lines to this file')
    .option('--ingest', 'post the records to a platform instead (needs --server and --token)')
    .option('--server <url>', 'platform URL for --ingest')
    .option('--token <token>', 'the customer\'s agent runtime token (oir_…) for --ingest')
    .action(async (flags: GenerateFlags) => { process.exitCode = await generateCli(flags) })
}

async function generateCli(f: GenerateFlags): Promise<number> {
  const sink = sinkOf(f)
  if (typeof sink === 'string') { console.error(`optiinfra generate: ${sink}`); return 2 }
  const start = f.start === undefined ? undefined : new Date(f.start)
  if (start && Number.isNaN(start.getTime())) { console.error('optiinfra generate: --start must be an ISO-8601 time'); return 2 }
  const bar = new cliProgress.SingleBar({ format: 'generate |{bar}| {percentage}% {value}/{total} records  {speed} rec/s  eta {eta}s', stream: process.stderr }, cliProgress.Presets.shades_classic)
  const t0 = performance.now()
  bar.start(f.records, 0, { speed: 0 })
  const summary = await runGenerate({
    records: f.records, seed: f.seed, distribution: f.distribution, anomalies: f.anomalies, start, ratePerSec: f.rate, sink,
    onProgress: (done) => bar.update(done, { speed: Math.round(done / ((performance.now() - t0) / 1000)) }),
  }).finally(() => bar.stop())
  printSummary(summary, f)
  return summary.check.passed && (summary.ingest?.lost ?? 0) === 0 ? 0 : 1
}

function sinkOf(f: GenerateFlags): GenerateSink | string {
  if (f.ingest) {
    if (!f.server || !f.token) return '--ingest needs --server URL and --token T'
    if (f.out) return 'choose either --out or --ingest'
    return { kind: 'ingest', server: f.server, token: f.token }
  }
  if (!f.out) return 'say where the records go: --out file.jsonl or --ingest --server URL --token T'
  return { kind: 'file', path: f.out }
}

function printSummary(s: GenerateSummary, f: GenerateFlags): void {
  console.log(`generated ${s.records} records (${s.anomalous} anomalous, labelled anomaly="1") in ${s.seconds.toFixed(2)} s: ${Math.round(s.recordsPerSec)} records/s`)
  for (const r of s.check.results) {
    console.log(`  KS ${r.metric} vs ${f.distribution}: D=${r.statistic.toFixed(4)} p=${r.pValue.toFixed(4)} n=${r.n} → ${r.passed ? 'consistent' : 'REJECTED'}`)
  }
  console.log(`  distribution check (family-wise alpha ${s.check.alpha}): ${s.check.passed ? 'passed' : 'FAILED'}`)
  if (s.ingest) {
    const i = s.ingest
    console.log(`  ingested in ${i.batches} batches: received ${i.received}, stored ${i.stored}, duplicates ${i.duplicates}, quarantined ${i.quarantined}, lost ${i.lost}`)
  } else if (f.out) console.log(`  written to ${f.out}`)
}
