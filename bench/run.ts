/**
 * `npm run bench [-- name...]`: runs every `bench/*.bench.ts` suite (or those whose file name
 * contains one of the given words), prints a table against the seeds' targets and writes
 * reports/bench.json ([{name, value, unit, target, note}]). A suite that throws is reported as a
 * failed entry; the others still run.
 */
import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import os from 'node:os'
import { addBench, BENCH_REPORT, formatTable, type BenchResult, type BenchSuite } from './bench.ts'

const DIR = fileURLToPath(new URL('.', import.meta.url))

async function main(filters: string[]): Promise<void> {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.bench.ts')).sort()
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  console.log(`OptiInfra benchmarks — Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}\n`)
  const all: BenchResult[] = []
  for (const file of files) {
    const t0 = performance.now()
    try {
      const suite = (await import(pathToFileURL(DIR + file).href)) as BenchSuite
      const results = await suite.run()
      all.push(...results)
      console.log(`${file}: ${results.length} figure(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    } catch (err) {
      all.push({ name: `${file} failed`, value: 0, unit: '', target: null, note: (err as Error).message.slice(0, 200) })
      console.log(`${file}: FAILED — ${(err as Error).message}`)
    }
  }
  await addBench(all)
  console.log(`\n${formatTable(all)}\n`)
  console.log(`written to ${BENCH_REPORT}`)
}

await main(process.argv.slice(2))
// Suites close their stores and servers; exit explicitly in case a driver keeps a handle open.
process.exit(0)
