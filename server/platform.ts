import type { FastifyInstance } from 'fastify'
import type { Config } from './config.ts'
import { createDeps, type Deps, type DepsOverrides } from './deps.ts'
import { buildApp } from './app.ts'
import { createServices, startServices } from './services.ts'
import { bootstrapAccounts, type Credentials } from './bootstrap.ts'
import { createAgentToken, revokeTokens } from './runtime/token.ts'
import { hostname } from 'node:os'

/** A running platform: API, portal and background services in one process. */
export interface Platform { deps: Deps; app: FastifyInstance; url: string; credentials: Credentials[]; stop(): Promise<void> }

/** Starts everything and listens; `stop` closes the server, the services and the store, in that order. */
export async function startPlatform(config: Config, overrides: DepsOverrides = {}): Promise<Platform> {
  const deps = await createDeps(config, overrides)
  const credentials = await bootstrapAccounts(deps)
  const platformToken = await createAgentToken(deps.db, `platform (in-process, ${hostname()} pid ${process.pid})`)
  deps.setFleetToken(platformToken.token)
  const set = createServices(deps)
  const app = await buildApp(deps, { components: set.components })
  await app.listen({ port: config.port, host: config.host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  deps.setSelfUrl(url)
  // services start after listen: in-process agents and the runtime call this platform over HTTP
  const stopServices = await startServices(config.workers ? set : { services: set.services.slice(0, 1), components: set.components })
  let stopped = false
  return {
    deps, app, url, credentials,
    async stop() {
      if (stopped) return
      stopped = true
      await app.close()
      await stopServices()
      await deps.actuators.stop()
      await revokeTokens(deps.db, [platformToken.id], deps.clock).catch(() => undefined)
      await deps.db.close()
    },
  }
}
