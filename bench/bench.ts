/**
 * Shared shapes and helpers of `npm run bench`. A suite is a file `bench/<name>.bench.ts`
 * exporting `run(): Promise<BenchResult[]>`; bench/run.ts finds and runs every suite.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

/** One measured figure. `target` is the goal (seed 003 where it sets one), null when there is none. */
export interface BenchResult {
  name: string
  value: number
  unit: string
  target: number | null
  /** Whether bigger values are better (throughput) or smaller (latency, loss); default higher. */
  better?: 'higher' | 'lower'
  note?: string
}

/** What a suite module exports. */
export interface BenchSuite { run(): Promise<BenchResult[]> }

/** Where the figures are written. */
export const BENCH_REPORT = fileURLToPath(new URL('../reports/bench.json', import.meta.url))

/**
 * Which way is better: as declared, else lower for durations and for losses or errors (a suite
 * that forgot `better` must not be reported as "met" for being slower than its target).
 */
export function directionOf(r: BenchResult): 'higher' | 'lower' {
  if (r.better) return r.better
  return /^(ms|s|sec|seconds|min|minutes)$/.test(r.unit ?? '') || /loss|error|latency|time\b/i.test(r.name) ? 'lower' : 'higher'
}

/** True when a figure meets its target (null when it has none). */
export function meetsTarget(r: BenchResult): boolean | null {
  if (r.target === null || r.target === undefined || !Number.isFinite(r.value)) return null
  return directionOf(r) === 'higher' ? r.value >= r.target : r.value <= r.target
}

/** Runs `fn` and returns its result and the wall time it took in seconds. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ result: T; seconds: number }> {
  const t0 = performance.now()
  const result = await fn()
  return { result, seconds: (performance.now() - t0) / 1000 }
}

/**
 * Merges results into reports/bench.json by name (a later run of a suite replaces its figures),
 * for suites run outside bench/run.ts.
 */
export async function addBench(results: BenchResult[], file = BENCH_REPORT): Promise<BenchResult[]> {
  let current: BenchResult[] = []
  try { current = JSON.parse(await readFile(file, 'utf8')) as BenchResult[] } catch { /* first write */ }
  const names = new Set(results.map((r) => r.name))
  const merged = [...current.filter((r) => !names.has(r.name)), ...results]
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(merged, null, 2)}\n`)
  return merged
}

/** A fixed-width table of results with their standing against target. */
export function formatTable(results: BenchResult[]): string {
  const fmt = (v: number | null | undefined) => (typeof v !== 'number' || !Number.isFinite(v) ? 'n/a'
    : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(4)).toString())
  const rows = results.map((r) => {
    const ok = meetsTarget(r)
    // share of the target reached: value/target when higher is better, target/value when lower is
    const pct = r.target ? `${Math.round((directionOf(r) === 'higher' ? r.value / r.target : r.target / Math.max(r.value, 1e-12)) * 100)}%` : ''
    return [r.name, `${fmt(r.value)} ${r.unit ?? ''}`, r.target === null || r.target === undefined ? '—' : `${fmt(r.target)} ${r.unit ?? ''}`, ok === null ? '' : ok ? `met ${pct}` : `MISSED (${pct})`, r.note ?? '']
  })
  const header = ['benchmark', 'value', 'target', 'vs target', 'note']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(r[i]!.length, i === 4 ? 70 : 60))))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
