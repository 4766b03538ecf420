import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'
import { testDbKind } from '../test/db.ts'
import { createRuntimeToken } from '../runtime/token.ts'
import { batchTotals, countSamples } from '../telemetry/store.ts'
import { Command } from 'commander'
import { runGenerate } from './run.ts'
import { registerGenerateCommand } from './cli.ts'
import { withDefects } from './corrupt.ts'
import { WorkloadGenerator } from './generator.ts'
import { ingestBatch } from '../telemetry/ingest.ts'
import { manualClock } from '../clock.ts'

let p: TestPlatform
let dir: string
beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  dir = await mkdtemp(path.join(tmpdir(), 'optiinfra-gen-'))
}, 60_000)
afterAll(async () => { await p?.stop(); if (dir) await rm(dir, { recursive: true, force: true }) })

describe(`optiinfra generate (${testDbKind})`, () => {
  it('writes byte-identical JSONL for the same seed, with progress and a passing KS check', async () => {
    const progress: number[] = []
    const run = (file: string, seed: number) => runGenerate({ records: 12_000, seed, distribution: 'lognormal', anomalies: 0.01, sink: { kind: 'file', path: path.join(dir, file) }, onProgress: (d) => progress.push(d) })
    const a = await run('a.jsonl', 9)
    await run('b.jsonl', 9)
    await run('c.jsonl', 10)
    const [ta, tb, tc] = await Promise.all(['a', 'b', 'c'].map((f) => readFile(path.join(dir, `${f}.jsonl`), 'utf8')))
    expect(ta).toBe(tb)
    expect(ta).not.toBe(tc)
    const lines = ta!.trimEnd().split('\n')
    expect(lines).toHaveLength(12_000)
    expect(JSON.parse(lines[0]!)).toMatchObject({ series: { metric: 'request_latency_ms' }, ts: expect.any(Number), value: expect.any(Number) })
    expect(lines.filter((l) => l.includes('"anomaly":"1"')).length).toBe(a.anomalous)
    expect(a.check.passed).toBe(true)
    expect(progress.slice(0, 3)).toEqual([5000, 10_000, 12_000])
  })

  it('`optiinfra generate` validates its flags and writes the file it is asked for', async () => {
    const out: string[] = []
    const [log, err] = [console.log, console.error]
    console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
    console.error = (...a: unknown[]) => { out.push(a.join(' ')) }
    const cli = async (...args: string[]) => {
      const program = new Command().exitOverride()
      registerGenerateCommand(program)
      await program.parseAsync(['node', 'optiinfra', 'generate', ...args])
      const code = process.exitCode
      process.exitCode = undefined
      return code
    }
    try {
      expect(await cli('--records', '100')).toBe(2)
      expect(await cli('--records', '100', '--ingest')).toBe(2)
      expect(await cli('--records', '3000', '--seed', '5', '--distribution', 'normal', '--out', path.join(dir, 'cli.jsonl'))).toBe(0)
    } finally { [console.log, console.error] = [log, err] }
    expect((await readFile(path.join(dir, 'cli.jsonl'), 'utf8')).trimEnd().split('\n')).toHaveLength(3000)
    expect(out.join('\n')).toMatch(/generated 3000 records .* distribution check \(family-wise alpha 0.05\): passed/s)
  })

  it('ingests into a platform with a runtime token and accounts for every record', async () => {
    const c = await p.newCustomer('Generator Co')
    const { token } = await createRuntimeToken(p.deps.db, c.customerId, 'generator')
    const s = await runGenerate({ records: 11_000, seed: 3, distribution: 'production-mirror', anomalies: 0.02, sink: { kind: 'ingest', server: p.url, token } })
    expect(s.ingest).toMatchObject({ received: 11_000, stored: 11_000, duplicates: 0, quarantined: 0, lost: 0, batches: 3 })
    expect(await countSamples(p.deps.db, c.customerId)).toBe(11_000)
    const anomalous = await p.deps.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry_samples s JOIN telemetry_series ser ON ser.id = s.series_id
       WHERE ser.customer_id = $1 AND ser.labels->>'anomaly' = '1'`, [c.customerId])
    expect(anomalous[0]!.n).toBe(s.anomalous)
  })

  it('stores exactly the unique good records of a stream with 5% duplicates and 1% corruption', async () => {
    const c = await p.newCustomer('Defects Co')
    const good = new WorkloadGenerator({ seed: 8, distribution: 'normal', anomalies: 0, start: new Date(p.deps.clock.now().getTime() - 3_600_000) }).take(20_000)
    const stream = withDefects(good, 20_000, { dupRate: 0.05, corruptRate: 0.01, seed: 8 })
    const clock = manualClock(p.deps.clock.now())
    for (let i = 0; i < stream.records.length; i += 4000) await ingestBatch(p.deps.db, c.customerId, stream.records.slice(i, i + 4000), { clock })
    expect(await batchTotals(p.deps.db, c.customerId)).toMatchObject({ received: 20_000, stored: stream.uniqueGood, duplicates: stream.duplicates, quarantined: stream.corrupt })
    expect(await countSamples(p.deps.db, c.customerId)).toBe(stream.uniqueGood)
  })
})
