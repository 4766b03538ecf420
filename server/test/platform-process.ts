import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { platformClient, testAdmin, testEnv, type PlatformClient } from './platform.ts'

const BIN = path.resolve(import.meta.dirname, '../../bin/optiinfra.js')

/** A platform in a child process; `output` is what it printed (the start banner names the demo logins). */
export interface PlatformProcess extends PlatformClient { output(): string }

/**
 * Starts the platform as users run it (`optiinfra start`, embedded store in a fresh folder) in a
 * child process. Measurements of the API take it from here: the load generator then does not share
 * the server's event loop, and the server does not run under the test runner's coverage hooks.
 * No demo fleet unless `env` sets OPTIINFRA_DEMO=true.
 */
export async function startPlatformProcess(opts: { env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<PlatformProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'optiinfra-process-'))
  const { adminEmail, adminPassword } = testAdmin()
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, 'start', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    env: { ...process.env, DATABASE_URL: '', ...testEnv(adminEmail, adminPassword), LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => { out += String(d) })
  child.stderr.on('data', (d) => { out += String(d) })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM') })
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`platform did not start in 90 s: ${out}`)), 90_000)
      child.stdout.on('data', () => {
        const found = /running at (http:\/\/\S+)/.exec(out)?.[1]
        if (found) { clearTimeout(timer); resolve(found) }
      })
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`platform exited ${code}: ${out}`)) })
    })
    return { ...(await platformClient(url, adminEmail, adminPassword, stop)), output: () => out }
  } catch (err) {
    await stop()
    throw err
  }
}
