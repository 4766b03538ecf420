import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

// tags: integration p0 — committed data survives kill -9 on the embedded PGlite store
const BIN = path.resolve('bin/optiinfra.js')

async function startOn(dataDir: string) {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', dataDir, '--no-demo'], {
    env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', OPTIINFRA_WORKERS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => { out += String(d) })
  child.stderr.on('data', (d) => { out += String(d) })
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const url = /running at (http:\/\/\S+)/.exec(out)?.[1]
    if (url) return { child, url }
    if (child.exitCode !== null) throw new Error(out)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`not started: ${out}`)
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('embedded store durability', () => {
  it('keeps every acknowledged signup after kill -9 and restart (test_crash_durability_kill9 @p0)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'optiinfra-crash-'))
    try {
      const first = await startOn(dataDir)
      const emails = Array.from({ length: 5 }, (_, i) => `crash${i}@example.com`)
      for (const email of emails) {
        expect((await post(`${first.url}/auth/signup`, { email, company_name: 'Crash Co', password: 'securepass123' })).status).toBe(201)
      }
      first.child.kill('SIGKILL')
      await new Promise((r) => first.child.once('exit', r))
      const second = await startOn(dataDir)
      try {
        for (const email of emails) {
          expect((await post(`${second.url}/auth/login`, { username: email, password: 'securepass123' })).status, email).toBe(200)
        }
      } finally {
        second.child.kill('SIGTERM')
        await new Promise((r) => second.child.once('exit', r))
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
