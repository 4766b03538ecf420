import { afterAll, describe, expect, it } from 'vitest'
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { testDbKind } from '../../server/test/db.ts'

// tags: integration — issue 14: `npm pack` → install in an empty folder → `npx optiinfra --help` and
// `optiinfra start` serve the API and the portal. Slow (an npm install of every dependency, from the
// local npm cache where possible).
const run = promisify(execFile)
const dirs: string[] = []
let child: ChildProcess | undefined

afterAll(async () => {
  if (child && child.exitCode === null) { child.kill('SIGTERM'); await new Promise((r) => child!.once('exit', r)) }
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function packInto(dir: string): Promise<string> {
  // the tarball carries the built portal: build it when this checkout has not yet
  if (!existsSync('portal/dist/index.html')) execFileSync('npm', ['run', 'build:portal'], { stdio: 'pipe' })
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir])
  const tgz = (await readdir(dir)).find((f) => f.endsWith('.tgz'))
  if (!tgz) throw new Error('npm pack wrote no tarball')
  return path.join(dir, tgz)
}

// the embedded store only (DATABASE_URL is cleared): the PostgreSQL stage would repeat the PGlite run exactly
describe.skipIf(testDbKind === 'pg')('installable package', () => {
  it('installs from the packed tarball in an empty folder and runs --help and start', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'optiinfra-pack-'))
    const app = await mkdtemp(path.join(tmpdir(), 'optiinfra-install-'))
    dirs.push(out, app)
    const tarball = await packInto(out)
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'customer-app', version: '1.0.0', private: true }))
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, maxBuffer: 16 * 1024 * 1024 })

    const help = await run('npx', ['--no-install', 'optiinfra', '--help'], { cwd: app })
    expect(help.stdout).toMatch(/start .*run API, portal/)
    expect(help.stdout).toMatch(/reset-password/)

    const env = { ...process.env, DATABASE_URL: '', OPTIINFRA_DATA_DIR: path.join(app, 'data'), OPTIINFRA_LOG_FORMAT: 'json' }
    child = spawn(path.join(app, 'node_modules/.bin/optiinfra'), ['start', '--port', '0'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (d) => { output += String(d) })
    child.stderr!.on('data', (d) => { output += String(d) })
    let url = ''
    for (const deadline = Date.now() + 240_000; !url && Date.now() < deadline;) {
      url = /running at (http:\/\/\S+)/.exec(output)?.[1] ?? ''
      if (child.exitCode !== null) throw new Error(`start exited: ${output}`)
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(url, output).not.toBe('')
    expect((await fetch(`${url}/health`)).status).toBe(200)
    const portal = await fetch(`${url}/app/overview`)
    expect(portal.status).toBe(200)
    expect(await portal.text()).toContain('<div id="root">')
  }, 600_000)
})
