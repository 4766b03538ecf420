import type { Command } from 'commander'
import type { Config } from '../config.ts'
import { systemClock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import { openDb } from '../db/open.ts'
import { migrate } from '../db/migrate.ts'
import { listAccounts, resetPassword } from '../auth/reset.ts'
import { bannerLines } from './banner.ts'

/** Where `start` with the same environment listens, as a browser reaches it. */
export function platformUrl(config: Pick<Config, 'host' | 'port'>): string {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`
}

/** The store `start` uses with this configuration (the embedded one cannot be shared: stop the server first). */
export function storeLabel(config: Config): string {
  return config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`
}

async function withStore<T>(config: Config, run: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(config.databaseUrl ? { kind: 'pg', url: config.databaseUrl } : { kind: 'pglite', dataDir: `${config.dataDir}/pgdata` })
  try {
    await migrate(db)
    return await run(db)
  } finally {
    await db.close()
  }
}

/** `optiinfra credentials` and `optiinfra reset-password --email X`: the banner on demand, and a way back in. */
export function registerAccountCommands(program: Command, loadConfig: () => Config): void {
  program.command('credentials').description('print where to log in and the accounts (passwords are not stored in clear: see reset-password)')
    .action(async () => {
      const config = loadConfig()
      const accounts = await withStore(config, listAccounts)
      const lines = bannerLines({ url: platformUrl(config), running: false, store: storeLabel(config), timeScale: config.timeScale, demo: config.demo, created: [], accounts })
      console.log(lines.join('\n'))
    })
  program.command('reset-password').description('set and print a new password for an account; its open sessions end')
    .requiredOption('--email <email>', 'the account to reset')
    .action(async (o: { email: string }) => {
      const config = loadConfig()
      try {
        const password = await withStore(config, (db) => resetPassword(db, systemClock, o.email))
        console.log(`New password for ${o.email}: ${password}\nLog in at ${platformUrl(config)}/ (earlier sessions of this account are signed out).`)
      } catch (err) {
        if ((err as { code?: string }).code !== 'OPT_NOT_FOUND') throw err
        console.error(`optiinfra: no account with email ${o.email} (\`optiinfra credentials\` lists them)`)
        process.exitCode = 1
      }
    })
}
