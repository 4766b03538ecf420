/**
 * GPU telemetry from nvidia-smi for fleets without a DCGM exporter: the runtime runs
 * `nvidia-smi --query-gpu=… --format=csv,nounits` (or reads a file that a cron job or a sidecar
 * writes) on every tick and maps the rows onto DCGM's series names.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import { promisify } from 'node:util'
import { parseNvidiaSmiCsv, smiAsDcgmFamilies, SMI_QUERY_FIELDS } from '../telemetry/nvidia-smi.ts'
import type { MetricFamily } from '../telemetry/prometheus.ts'

/** Where one host's nvidia-smi output comes from, and which deployment its GPUs serve. */
export interface SmiSource { deploymentId: string; group: 'stable' | 'canary'; file?: string; hostname?: string }

export type SmiRead =
  | { ok: true; source: string; families: MetricFamily[]; gpus: number; errors: { line: number; reason: string }[] }
  | { ok: false; source: string; error: string }

/** How the command is run (replaced in tests). */
export type RunSmi = (args: string[]) => Promise<string>

const run = promisify(execFile)
/** nvidia-smi answers in well under a second; a hung driver must not stall the tick. */
export const SMI_TIMEOUT_MS = 10_000
export const defaultRunSmi: RunSmi = async (args) => (await run('nvidia-smi', args, { timeout: SMI_TIMEOUT_MS, maxBuffer: 1_048_576 })).stdout

/** The name a source is reported under: its file, or the command on this host. */
export const smiSourceName = (s: SmiSource) => s.file ?? `nvidia-smi@${s.hostname ?? os.hostname()}`

/** Reads one source; failures are data, never exceptions. */
export async function readSmi(s: SmiSource, runSmi: RunSmi = defaultRunSmi): Promise<SmiRead> {
  const source = smiSourceName(s)
  let text: string
  try {
    text = s.file ? await readFile(s.file, 'utf8') : await runSmi([`--query-gpu=${SMI_QUERY_FIELDS.join(',')}`, '--format=csv,nounits'])
  } catch (err) {
    return { ok: false, source, error: (err as Error).message.split('\n')[0]! }
  }
  const parsed = parseNvidiaSmiCsv(text)
  // `-l 1` captures repeat each GPU: the newest row of each index is the current state
  const latest = new Map(parsed.rows.map((r) => [String(r.index), r]))
  if (latest.size === 0) return { ok: false, source, error: parsed.errors[0] ? `line ${parsed.errors[0].line}: ${parsed.errors[0].reason}` : 'no GPU rows' }
  return { ok: true, source, families: smiAsDcgmFamilies([...latest.values()], s.hostname ?? os.hostname()), gpus: latest.size, errors: parsed.errors }
}
