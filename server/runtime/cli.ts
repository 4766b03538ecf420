/**
 * `optiinfra runtime --server URL --token T [--scrape URL...] [--interval S]`: the agent runtime
 * a customer installs next to its fleet.
 */
import type { Command } from 'commander'
import pino from 'pino'
import { scaledClock, systemClock, type Clock } from '../clock.ts'
import { PlatformClient } from './client.ts'
import { runRuntime, type TickReport } from './runtime.ts'
import type { Target } from './records.ts'
import type { SmiSource } from './nvidia-smi-source.ts'

interface RuntimeFlags { server: string; token: string; scrape: string[]; nvidiaSmi: string[]; interval?: string; raw: 'key' | 'all'; once?: boolean }

/**
 * A `--scrape` value: `URL`, or `DEPLOYMENT[/GROUP]=URL` to attribute the endpoint to a
 * deployment and serving group. Without a prefix the deployment is the URL's host:port (what
 * Prometheus calls the instance). The kind (vLLM or DCGM) is recognized from what it exposes.
 */
export function parseScrapeFlag(raw: string): Target {
  const eq = raw.indexOf('=')
  const hasPrefix = eq > 0 && !raw.slice(0, eq).includes('://')
  const url = new URL(hasPrefix ? raw.slice(eq + 1) : raw)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--scrape ${raw}: only http(s) URLs can be scraped`)
  const [deploymentId, group = 'stable'] = hasPrefix ? raw.slice(0, eq).split('/') : [url.host]
  if (group !== 'stable' && group !== 'canary') throw new Error(`--scrape ${raw}: group must be stable or canary`)
  return { kind: 'auto', url: url.toString(), deploymentId: deploymentId || url.host, group, instanceId: url.host }
}

/**
 * A `--nvidia-smi` value: `DEPLOYMENT[/GROUP]` runs `nvidia-smi` on this host each tick;
 * `DEPLOYMENT[/GROUP]=FILE` reads what another process writes there (nvidia-smi's CSV, with header).
 */
export function parseSmiFlag(raw: string): SmiSource {
  const eq = raw.indexOf('=')
  const [deploymentId, group = 'stable'] = (eq > 0 ? raw.slice(0, eq) : raw).split('/')
  if (!deploymentId) throw new Error(`--nvidia-smi ${raw}: name the deployment the GPUs serve`)
  if (group !== 'stable' && group !== 'canary') throw new Error(`--nvidia-smi ${raw}: group must be stable or canary`)
  return { deploymentId, group, ...(eq > 0 ? { file: raw.slice(eq + 1) } : {}) }
}

/** Registers `runtime` on the program. */
export function registerRuntimeCommand(program: Command): void {
  program.command('runtime').description('scrape vLLM and DCGM /metrics endpoints on an interval and push them to the platform')
    .requiredOption('--server <url>', 'platform URL')
    .requiredOption('--token <token>', 'the customer\'s agent runtime token (oir_…)')
    .option('--scrape <target...>', 'endpoints to scrape: URL or DEPLOYMENT[/GROUP]=URL (default: discover from the platform)', [])
    .option('--nvidia-smi <source...>', 'GPU telemetry from nvidia-smi where no DCGM exporter runs: DEPLOYMENT[/GROUP] (runs nvidia-smi here) or DEPLOYMENT[/GROUP]=FILE', [])
    .option('--interval <seconds>', 'scrape interval in platform seconds (default: the platform\'s setting)')
    .option('--raw <set>', 'raw series to push: key or all', 'key')
    .option('--once', 'scrape and push once, print the result and exit')
    .action(async (flags: RuntimeFlags) => { process.exitCode = await runtimeCli(flags) })
}

async function runtimeCli(f: RuntimeFlags): Promise<number> {
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info' })
  let targets: Target[] | undefined
  let smi: SmiSource[]
  try {
    targets = f.scrape.length ? f.scrape.map(parseScrapeFlag) : undefined
    smi = f.nvidiaSmi.map(parseSmiFlag)
  } catch (err) { console.error(`optiinfra runtime: ${(err as Error).message}`); return 2 }
  const client = new PlatformClient(f.server, f.token)
  const info = await client.targets().catch((err: Error) => err)
  if (info instanceof Error) { console.error(`optiinfra runtime: cannot reach ${f.server}: ${info.message}`); return 1 }
  const interval = f.interval === undefined ? info.scrape_interval_seconds : Number(f.interval)
  if (!(interval > 0)) { console.error('optiinfra runtime: --interval must be a positive number of seconds'); return 2 }
  const clock = platformClock(info.server_time, info.time_scale)
  log.info({ server: f.server, targets: targets?.length ?? 'discovered', interval, timeScale: info.time_scale }, 'runtime started')
  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort())
  process.once('SIGTERM', () => controller.abort())
  let last: TickReport | undefined
  await runRuntime({ server: f.server, token: f.token, scrapeUrls: targets, intervalSeconds: interval, clock, raw: f.raw, log, signal: controller.signal, smi }, (r) => {
    last = r
    log.info({ targets: r.targets, scraped: r.scraped, partial: r.partial.length, records: r.records, pushed: r.pushed, buffered: r.buffered }, 'tick')
    if (f.once) controller.abort()
  })
  if (f.once) console.log(JSON.stringify(last, null, 2))
  return f.once && (!last || last.pushed === null) ? 1 : 0
}

/**
 * Stamps samples in the platform's time: a time-scaled demo platform runs faster than the wall
 * clock, and samples must land in its window (a real platform reports scale 1).
 */
function platformClock(serverTime: string, scale: number): Clock {
  const at = Date.parse(serverTime)
  if (!(scale > 0) || !Number.isFinite(scale) || Number.isNaN(at)) return systemClock
  return scale === 1 ? systemClock : scaledClock(scale, new Date(at))
}
