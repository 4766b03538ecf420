/**
 * Crash-test harness: platform child processes (server/test/platform-child.ts) started, killed and
 * restarted over one store, and the store's facts read back after they stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import type { Db } from '../db/db.ts'
import type { Optimization } from '../../api/optimizations.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
const children: ChildProcess[] = []
/** Temporary folders to remove in `cleanUp`. */
export const dirs: string[] = []

/** Kills every child still alive and removes the folders (call from afterAll). */
export function cleanUp(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}

export interface Ready { url: string; worker: number; customerId?: string; token?: string; optimizationIds?: string[]; deployments?: string[] }

/** Starts a platform child process and resolves with its READY line. */
export function startChild(store: string, seed = 0): Promise<{ child: ChildProcess; ready: Ready; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/test/platform-child.ts', '--store', store, '--seed', String(seed)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  child.stderr!.on('data', (b: Buffer) => { out += b.toString() })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start: ${out}`)), 90_000)
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
      const line = out.split('\n').find((l) => l.startsWith('READY '))
      if (line) { clearTimeout(timer); resolve({ child, ready: JSON.parse(line.slice(6)) as Ready, output: () => out }) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited ${code}: ${out}`)) })
  })
}

export async function getOpt(url: string, id: string, token: string): Promise<Optimization> {
  const res = await fetch(`${url}/optimizations/${id}`, { headers: { authorization: `Bearer ${token}` } })
  return res.json() as Promise<Optimization>
}

export async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill(signal) })
}

/** The store after the children stopped: instances, audit, events, provider change log. */
export async function inspect(db: Db, customerId: string, optimizationId: string) {
  const alive = await db.query<{ id: string; grp: string | null; deployment_id: string | null }>('SELECT id, grp, deployment_id FROM sim_instances WHERE customer_id = $1 AND terminated_at IS NULL', [customerId])
  const all = await db.query<{ id: string }>('SELECT id FROM sim_instances WHERE customer_id = $1', [customerId])
  const steps = await db.query<{ step: string; n: number }>(
    `SELECT detail->>'step' AS step, count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'optimization:step_completed' GROUP BY 1`, [optimizationId])
  const changes = await db.query<{ change_id: string; method: string }>('SELECT change_id, method FROM sim_changes WHERE customer_id = $1 AND change_id LIKE $2', [customerId, `${optimizationId}:%`])
  const workers = await db.query<{ worker: string }>('SELECT DISTINCT worker FROM workflow_events WHERE run_id = $1 AND worker IS NOT NULL', [optimizationId])
  const [run] = await db.query<{ status: string }>('SELECT status FROM workflow_runs WHERE id = $1', [optimizationId])
  return { alive, all, steps: new Map(steps.map((s) => [s.step, s.n])), changes, workers: workers.map((w) => w.worker), status: run!.status }
}

