import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

// tags: integration p0 — the real entry points: `optiinfra start` and `optiinfra health-check`
const BIN = path.resolve('bin/optiinfra.js')
let child: ChildProcess
let url = ''
let output = ''
let dataDir = ''

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'optiinfra-cli-'))
  child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', dataDir, '--time-scale', '600'], {
    env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', OPTIINFRA_ADMIN_EMAIL: '', OPTIINFRA_ADMIN_PASSWORD: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => { output += String(d) })
  child.stderr!.on('data', (d) => { output += String(d) })
  const deadline = Date.now() + 60_000
  while (!url && Date.now() < deadline) {
    url = /running at (http:\/\/\S+)/.exec(output)?.[1] ?? ''
    if (child.exitCode !== null) throw new Error(`start exited: ${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  if (!url) throw new Error(`no URL printed: ${output}`)
}, 90_000)

afterAll(async () => {
  child?.kill('SIGTERM')
  await new Promise((r) => child?.once('exit', r))
  await rm(dataDir, { recursive: true, force: true })
})

describe('optiinfra CLI', () => {
  it('test_cli_start_prints_login_and_serves_health @p0', async () => {
    expect(output).toMatch(/PGlite/)
    expect(output).toMatch(/admin login: admin@optiinfra\.local {2}password: \S+/)
    expect(output).toMatch(/customer login: \S+ {2}password: \S+/)
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'healthy', store: 'pglite' })
  })

  it('logs in with the printed demo password', async () => {
    const [, email, password] = /customer login: (\S+) {2}password: (\S+)/.exec(output)!
    const res = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: email, password }) })
    expect(res.status).toBe(200)
  })

  it('test_health_check_prints_component_table @p1', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'health-check', '--url', url])
    expect(stdout).toMatch(/COMPONENT\s+STATUS\s+RESPONSE/)
    expect(stdout).toMatch(/store\s+✓ healthy/)
    expect(stdout).toMatch(/all components healthy/)
  })

  it('health-check exits 1 when the platform is unreachable', async () => {
    const run = promisify(execFile)(process.execPath, [BIN, 'health-check', '--url', 'http://127.0.0.1:1'])
    await expect(run).rejects.toMatchObject({ code: 1 })
  })

  it('refuses a bad configuration value with a clear message and exit code 2', async () => {
    const run = promisify(execFile)(process.execPath, [BIN, 'start', '--port', 'eighty'], { env: { ...process.env, DATABASE_URL: '' } })
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('PORT=eighty') })
  })
})
