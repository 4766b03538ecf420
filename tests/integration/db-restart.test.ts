import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openDb } from '../../server/db/open.ts'
import { migrate } from '../../server/db/migrate.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { testDbKind } from '../../server/test/db.ts'

// tags: integration p1 — issue 13: a PostgreSQL restart under load leaves the server up, nothing acknowledged lost.
// It needs a server of its own (restarting the shared one would cut every other suite), so it starts a
// private cluster from the machine's PostgreSQL binaries, as the postgres user.
const pgBin = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/pg_ctl`)) : undefined
const canRun = testDbKind === 'pg' && !!pgBin && process.getuid?.() === 0

const freePort = () => new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => { const port = (srv.address() as { port: number }).port; srv.close(() => resolve(port)) })
})
const asPostgres = (cmd: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', `${pgBin}/${cmd}`, ...args], { stdio: 'pipe', timeout: 60_000 })

describe.skipIf(!canRun)('store restart under load (private PostgreSQL cluster)', () => {
  let dir = ''
  let port = 0
  let p: TestPlatform
  const ctl = (action: string) => asPostgres('pg_ctl', ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-m', 'fast', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, action])

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'optiinfra-pg-'))
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()))
    port = await freePort()
    asPostgres('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync'])
    ctl('start')
    const db = await openDb({ kind: 'pg', url: `postgres://postgres@127.0.0.1:${port}/postgres`, poolSize: 5 })
    await migrate(db)
    p = await startTestPlatform({ db })
  })
  afterAll(async () => {
    await p?.stop().catch(() => undefined)
    try { ctl('stop') } catch { /* already down */ }
    rmSync(dir, { recursive: true, force: true })
  })

  it('test_postgres_restart_under_load_loses_nothing_and_serves_again_within_seconds @p1', async () => {
    const acknowledged: string[] = []
    const failures: number[] = []
    let running = true
    const load = (async () => {
      for (let i = 0; running; i++) {
        const res = await p.http('POST', '/auth/signup', { body: { email: `load-${i}@restart.test`, company_name: `Load ${i}`, password: 'securepass123', plan: 'pro' } }).catch(() => null)
        if (res?.status === 201) acknowledged.push(res.body.customer_id)
        else failures.push(res?.status ?? 0)
        await p.http('GET', '/health').catch(() => null)
      }
    })()
    await waitFor(async () => acknowledged.length >= 3, { what: 'load running' })
    ctl('restart')
    const restartedAt = performance.now()
    const before = acknowledged.length
    await waitFor(async () => acknowledged.length > before + 2, { what: 'writes succeed after the restart', timeoutMs: 20_000 })
    const recovered = performance.now() - restartedAt
    running = false
    await load
    expect(recovered).toBeLessThan(20_000)
    expect((await p.http('GET', '/health')).status).toBe(200)
    expect(failures.every((s) => s === 0 || s >= 500)).toBe(true) // while down: refused or 503, never a 4xx lie
    const stored = await p.deps.db.query<{ id: string }>('SELECT id FROM customers WHERE id = ANY($1::uuid[])', [acknowledged])
    expect(stored.length).toBe(acknowledged.length)
  })
})
