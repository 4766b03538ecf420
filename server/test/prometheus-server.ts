/**
 * A real Prometheus server (Debian's `prometheus` package) for tests: started on a free loopback
 * port with a generated configuration and a private data folder, stopped with its folder removed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** Where `.ci/run` installs it; override with PROMETHEUS_BIN. */
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus'

export const prometheusAvailable = (): boolean => existsSync(PROMETHEUS_BIN)

export interface RunningPrometheus { url: string; stop(): Promise<void>; output(): string }

/** A free loopback TCP port (closed again before it is handed out). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })
}

/** Starts Prometheus with `config` (YAML) and optional rule files; resolves once it is ready. */
export async function startPrometheus(config: string, rules: Record<string, string> = {}): Promise<RunningPrometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'optiinfra-prom-'))
  for (const [name, text] of Object.entries(rules)) await writeFile(path.join(dir, name), text)
  await writeFile(path.join(dir, 'prometheus.yml'), config.replaceAll('$RULES_DIR', dir))
  const port = await freePort()
  let log = ''
  const child: ChildProcess = spawn(PROMETHEUS_BIN, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (b: Buffer) => { log += b.toString() })
  child.stderr?.on('data', (b: Buffer) => { log += b.toString() })
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitReady(url, child, () => log)
  } catch (err) {
    await stop()
    throw err
  }
  return { url, stop, output: () => log }
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = performance.now() + 30_000
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log()}`)
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`prometheus not ready within 30 s: ${log()}`)
}
