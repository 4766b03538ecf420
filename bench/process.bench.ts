/**
 * A lean process (issue 15 item 4): `optiinfra start` on a fresh data folder (PGlite, simulated
 * demo fleet, ×60 fleet time) until `/health` answers, and its resident memory after 60 s with the
 * demo fleet running. Reference measured in the same run: a bare Node process serving `/health`
 * (what start-up costs before any of the platform loads). RSS is read from /proc (Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../server/test/prometheus-server.ts'
import type { BenchResult } from './bench.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = path.join(ROOT, 'bin/optiinfra.js')
/** How long the demo fleet runs before memory is read. */
const SETTLE_MS = 60_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Milliseconds from spawn until `url` answers 200 (throws after 5 minutes or when the process exits). */
async function untilHealthy(child: ChildProcess, url: string, t0: number): Promise<number> {
  while (performance.now() - t0 < 300_000) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before answering`)
    const ok = await fetch(url).then((r) => r.ok, () => false)
    if (ok) return performance.now() - t0
    await sleep(25)
  }
  throw new Error(`${url} did not answer within 5 minutes`)
}

/** Resident set size of a process and its descendants, in MiB (Linux /proc). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')
  const nested = await Promise.all(children.split(/\s+/).filter(Boolean).map((c) => rssMiB(Number(c)).catch(() => 0)))
  return kb / 1024 + nested.reduce((a, b) => a + b, 0)
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM') })
}

/** The reference: a bare Node http server answering /health. */
async function bareNode(): Promise<number> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' })
  try { return await untilHealthy(child, `http://127.0.0.1:${port}/health`, t0) } finally { await stop(child) }
}

/** Starts the platform on `dataDir`; returns the process and the milliseconds until /health answered. */
async function start(dataDir: string): Promise<{ child: ChildProcess; ms: number }> {
  const port = await freePort()
  const env = { ...process.env, DATABASE_URL: '', OPTIINFRA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', OPTIINFRA_LOG_FORMAT: 'json' }
  const t0 = performance.now()
  const child = spawn(process.execPath, [BIN, 'start', '--port', String(port), '--time-scale', '60'], { cwd: ROOT, env, stdio: 'ignore' })
  try {
    return { child, ms: await untilHealthy(child, `http://127.0.0.1:${port}/health`, t0) }
  } catch (err) {
    await stop(child)
    throw err
  }
}

export async function run(): Promise<BenchResult[]> {
  const reference = await bareNode()
  const dataDir = await mkdtemp(path.join(tmpdir(), 'optiinfra-bench-process-'))
  try {
    const first = await start(dataDir)
    await sleep(SETTLE_MS)
    const rss = await rssMiB(first.child.pid!).finally(() => stop(first.child))
    const again = await start(dataDir)
    await stop(again.child)
    const ref = `reference: a bare Node /health server answered after ${Math.round(reference)} ms`
    return [
      { name: 'process: npm start until /health answers (first run)', value: Math.round(first.ms), unit: 'ms', target: 5000, better: 'lower', note: `fresh data folder: PGlite initdb, migrations, demo fleet; ${ref}` },
      { name: 'process: npm start until /health answers (restart)', value: Math.round(again.ms), unit: 'ms', target: 5000, better: 'lower', note: `existing data folder; ${ref}` },
      { name: 'process: restart ÷ bare Node start-up', value: Number((again.ms / reference).toFixed(1)), unit: '×', target: null, better: 'lower' },
      { name: 'process: resident memory after 60 s of the demo fleet', value: Math.round(rss), unit: 'MiB', target: 300, better: 'lower', note: 'RSS of the process and its children (/proc)' },
    ]
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}
