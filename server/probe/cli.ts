/** `optiinfra probe`: the synthetic journey from cron or CI; exit 0 all SLOs met, 1 one missed, 2 bad flags. */
import type { Command } from 'commander'
import { formatProbe, parseProbeFlags, runProbe } from './probe.ts'

/** Runs the probe from flags, printing the table; returns the exit code. */
export async function probeMain(flags: Record<string, string | undefined>, io: { out: (s: string) => void; err: (s: string) => void } = { out: console.log, err: console.error }): Promise<number> {
  const o = parseProbeFlags(flags)
  if ('error' in o) { io.err(`optiinfra probe: ${o.error}`); return 2 }
  const r = await runProbe(o)
  const text = formatProbe(r)
  if (r.ok) io.out(text)
  else { io.out(text.split('\n').slice(0, -1).join('\n')); io.err(text.split('\n').at(-1)!) }
  return r.ok ? 0 : 1
}

/** Registers `optiinfra probe`. */
export function registerProbeCommand(program: Command): void {
  program.command('probe').description('synthetic journey against a running platform; exit 1 when an SLO is missed')
    // unknown or malformed flags are bad arguments: exit 2, so cron/CI can tell them from a missed SLO
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .option('--url <url>', 'platform URL').option('--token <t>', 'user token for an authenticated API call')
    .option('--deployment-url <url>', 'OpenAI-compatible base URL to send chat completions to')
    .option('--deployment-token <t>', 'bearer for the deployment (vLLM --api-key; a runtime token for the simulated fleet)')
    .option('--requests <n>', 'chat completions to send').option('--max-p95-ms <ms>', 'latency SLO (p95)')
    .option('--max-error-rate <r>', 'error-rate SLO (0..1)').option('--timeout-ms <ms>', 'per-request timeout')
    .action(async (o: Record<string, string | undefined>) => { process.exitCode = await probeMain(o) })
}
