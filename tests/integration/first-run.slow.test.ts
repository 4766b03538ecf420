import { afterAll, describe, expect, it } from 'vitest'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { testDbKind } from '../../server/test/db.ts'

// tags: integration — issue 14: `npm start` prints at most 30 lines in its first 60 s, the logins last.
// Slow: it watches a real start for a minute of wall time (at the default ×60 fleet clock).
const BIN = path.resolve('bin/optiinfra.js')
const WINDOW_MS = 60_000
const MAX_LINES = 30
let child: ChildProcess | undefined
let dataDir = ''

afterAll(async () => {
  if (child && child.exitCode === null) { child.kill('SIGTERM'); await new Promise((r) => child!.once('exit', r)) }
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// the embedded store only (DATABASE_URL is cleared): the PostgreSQL stage would repeat the PGlite run exactly
describe.skipIf(testDbKind === 'pg')('first run', () => {
  it('prints at most 30 lines in its first minute, the logins last, and reprints them on demand', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'optiinfra-first-run-'))
    const env = { ...process.env, DATABASE_URL: '', OPTIINFRA_ADMIN_EMAIL: '', OPTIINFRA_ADMIN_PASSWORD: '', LOG_LEVEL: '', OPTIINFRA_DATA_DIR: dataDir }
    // as on a terminal: human-readable logs (the child's stdout is a pipe, not a TTY)
    child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--time-scale', '60'], { env: { ...env, OPTIINFRA_LOG_FORMAT: 'pretty' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (d) => { output += String(d) })
    child.stderr!.on('data', (d) => { output += String(d) })
    const started = Date.now()
    // a loaded machine may take longer than the window to start: then watch 20 s past the banner
    let bannerAt = 0
    while (Date.now() - started < 240_000) {
      if (!bannerAt && /customer login: /.test(output)) bannerAt = Date.now()
      if (bannerAt && Date.now() >= Math.max(started + WINDOW_MS, bannerAt + 20_000)) break
      if (child.exitCode !== null) throw new Error(`start exited: ${output}`)
      await sleep(250)
    }
    const lines = output.split('\n').filter((l) => l.trim())
    expect(bannerAt, output).toBeGreaterThan(0)
    expect(lines.length, output).toBeLessThanOrEqual(MAX_LINES)
    expect(lines.at(-1), output).toMatch(/customer login: \S+ {2}password: \S+/)
    expect(output).toContain('simulated demo fleet')
    expect(output).not.toMatch(/internal error|"level":/)

    child.kill('SIGTERM')
    await new Promise((r) => child!.once('exit', r))
    const run = promisify(execFile)
    const creds = await run(process.execPath, [BIN, 'credentials'], { env })
    expect(creds.stdout).toContain('admin login: admin@optiinfra.local')
    expect(creds.stdout).not.toContain('password:')
    const reset = await run(process.execPath, [BIN, 'reset-password', '--email', 'demo@acme-ai.example'], { env })
    const fresh = /New password for demo@acme-ai\.example: (\S+)/.exec(reset.stdout)?.[1]
    const old = /customer login: \S+ {2}password: (\S+)/.exec(output)![1]
    expect(fresh).toBeTruthy()
    expect(fresh).not.toBe(old)
    await expect(run(process.execPath, [BIN, 'reset-password', '--email', 'nobody@example.com'], { env })).rejects.toMatchObject({ code: 1 })
  }, 420_000)
})
