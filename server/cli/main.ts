import { Command, Option } from 'commander'
import { configFromEnv, ConfigError, type Config } from '../config.ts'
import { startPlatform } from '../platform.ts'
import { openDb } from '../db/open.ts'
import { migrate } from '../db/migrate.ts'
import { healthCheck } from './health-check.ts'
import { registerExtraCommands } from './commands.ts'
import { registerAccountCommands, storeLabel } from './accounts.ts'
import { bannerLines } from './banner.ts'
import { listAccounts } from '../auth/reset.ts'

/** Start flags and the environment variables they override. */
const START_FLAGS: [flag: string, env: string, help: string][] = [
  ['--port <n>', 'PORT', 'HTTP port'],
  ['--host <addr>', 'HOST', 'bind address'],
  ['--data-dir <dir>', 'OPTIINFRA_DATA_DIR', 'embedded store and generated secrets'],
  ['--time-scale <x>', 'OPTIINFRA_TIME_SCALE', 'simulated seconds per wall second'],
  ['--database-url <url>', 'DATABASE_URL', 'PostgreSQL URL (default: embedded PGlite)'],
]

/** Reads the environment (plus flag overrides) into a validated Config, or exits 2 with the reason. */
export function loadConfig(flags: Record<string, unknown> = {}): Config {
  const env: Record<string, string | undefined> = { ...process.env }
  for (const [flag, name] of START_FLAGS) {
    const key = flag.slice(2).split(' ')[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    if (flags[key] !== undefined) env[name] = String(flags[key])
  }
  if (flags.demo === false) env.OPTIINFRA_DEMO = 'false'
  try {
    return configFromEnv(env)
  } catch (err) {
    if (err instanceof ConfigError) { console.error(`optiinfra: ${err.message}`); process.exit(2) }
    throw err
  }
}

async function start(flags: Record<string, unknown>) {
  const config = loadConfig(flags)
  // everything the server writes (store, secret, reports) is owner-only, whatever umask it inherited
  process.umask(0o077)
  const platform = await startPlatform(config)
  const accounts = platform.credentials.length ? [] : await listAccounts(platform.deps.db)
  console.log(bannerLines({ url: platform.url, running: true, store: storeLabel(config), timeScale: config.timeScale, demo: config.demo, created: platform.credentials, accounts }).join('\n'))
  const shutdown = async () => { await platform.stop(); process.exit(0) }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

/** The `optiinfra` command line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('optiinfra').description('Optimize LLM serving fleets safely')
  const startCmd = program.command('start').description('run API, portal, workers, agents and (demo) simulated fleet')
  for (const [flag, env, help] of START_FLAGS) startCmd.addOption(new Option(flag, `${help} (env ${env})`))
  startCmd.option('--no-demo', 'do not create the demo fleet and accounts (env OPTIINFRA_DEMO=false)').action(start)
  program.command('migrate').description('apply pending database migrations and exit').action(async () => {
    const config = loadConfig()
    const db = await openDb(config.databaseUrl ? { kind: 'pg', url: config.databaseUrl } : { kind: 'pglite', dataDir: `${config.dataDir}/pgdata` })
    const applied = await migrate(db)
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date')
    await db.close()
  })
  program.command('health-check').description('print every component\'s health; exit 1 if any is unhealthy')
    .option('--url <url>', 'platform URL', `http://127.0.0.1:${process.env.PORT ?? 8080}`)
    .action(async (o: { url: string }) => { process.exitCode = await healthCheck(o.url) })
  registerAccountCommands(program, () => loadConfig())
  registerExtraCommands(program)
  await program.parseAsync(argv)
}
