/**
 * `optiinfra report`: fetches the savings report from a running platform with a user token and
 * prints it or writes it to a file. Exit 0 on success, 1 when the platform refuses, 2 on bad flags.
 */
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { REPORT_FORMATS, type ReportFormat } from '../../api/reports.ts'

/** Flags of `optiinfra report`. */
export interface ReportFlags { customer?: string; format?: string; server?: string; token?: string; out?: string }

/** Fetches the report; returns the exit code and writes to the given sinks. */
export async function runReport(f: ReportFlags, io: { out: (s: string | Buffer) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(s), err: (s) => console.error(s) }): Promise<number> {
  const format = (f.format ?? 'json') as ReportFormat
  const token = f.token ?? process.env.OPTIINFRA_TOKEN
  if (!f.customer || !REPORT_FORMATS.includes(format) || !token) {
    io.err(`optiinfra report: need --customer ID, --format ${REPORT_FORMATS.join('|')} and --token T (or OPTIINFRA_TOKEN)`)
    return 2
  }
  const base = (f.server ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`).replace(/\/+$/, '')
  let res: Response
  try {
    res = await fetch(`${base}/customers/${encodeURIComponent(f.customer)}/reports/savings?format=${format}`, { headers: { authorization: `Bearer ${token}` } })
  } catch (err) {
    io.err(`optiinfra report: cannot reach ${base}: ${(err as Error).message}`)
    return 1
  }
  const body = Buffer.from(await res.arrayBuffer())
  if (res.status !== 200) {
    let detail = body.toString('utf8').slice(0, 500)
    try { const j = JSON.parse(detail) as { code?: string; message?: string }; detail = `${j.code ?? ''} ${j.message ?? ''}`.trim() } catch { /* not JSON: show the text */ }
    io.err(`optiinfra report: ${res.status} ${detail}`)
    return 1
  }
  if (f.out) { await writeFile(f.out, body); io.err(`wrote ${format} report (${body.length} bytes) to ${f.out}`) } else io.out(body)
  return 0
}

/** Registers `optiinfra report`. */
export function registerReportCommand(program: Command): void {
  program.command('report').description('executive savings report of a customer from a running platform')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .option('--customer <id>', 'customer id').option('--format <f>', REPORT_FORMATS.join('|'), 'json')
    .option('--server <url>', 'platform URL (default http://127.0.0.1:$PORT)').option('--token <t>', 'user access token (env OPTIINFRA_TOKEN)')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (o: ReportFlags) => { process.exitCode = await runReport(o) })
}
