import { readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { Registry, collectDefaultMetrics } from 'prom-client'
import type { Config } from './config.ts'
import { scaledClock, systemClock, type Clock } from './clock.ts'
import type { Db } from './db/db.ts'
import { openDb } from './db/open.ts'
import { migrate } from './db/migrate.ts'
import { ensurePrivateDir, securePrivateTree } from './db/private-files.ts'
import { getSetting } from './auth/store.ts'
import { createTokenService, randomSecret, type TokenService } from './auth/tokens.ts'
import { createLiveHub, type LiveHub } from './http/live.ts'
import { createCloud, createTwinGitOps, type CloudProvider, type FleetRegistry, type Simulator } from './cloud/index.ts'
import { createActuators, type Actuators } from './actuators/index.ts'
import { createLogger } from './logging/logger.ts'

/**
 * Everything the app and the workers need, built once by `createDeps` and passed in: no module
 * singletons, so tests build as many isolated platforms as they like.
 */
export interface Deps {
  config: Config
  db: Db
  /** Fleet and workflow time (scaled in the demo). */
  clock: Clock
  log: Logger
  tokens: TokenService
  live: LiveHub
  /** The platform's own Prometheus registry, served at /metrics. */
  metrics: Registry
  /** The cloud provider every reader and actuator goes through (the simulated AWS/GCP fleet today). */
  cloud: CloudProvider
  /** Materializes a fleet a customer declares (the twin creates it; a real cloud's fleet is discovered). */
  registry: FleetRegistry
  /**
   * The simulated cloud's own controls (faults, its /sim endpoints, its clock ticker, demo
   * scenarios) when the fleet is simulated, else null. Only the simulator's folder and the wiring
   * use it: agents, dashboards, reports and workflows see the fleet through `cloud`.
   */
  twin: Simulator | null
  /** How approved changes reach each customer's fleet (direct, a Git repository, or a human). */
  actuators: Actuators
  /**
   * The platform's own base URL once it listens (e.g. http://127.0.0.1:8080). In-process agents and
   * the runtime reach the fleet's endpoints over real HTTP against it, exactly as they would remotely.
   */
  selfUrl(): string
  setSelfUrl(url: string): void
  /**
   * The credential the platform's own components (canary analysis, in-process agents) present to
   * the fleet's endpoints: a platform agent token minted at start and revoked at stop.
   */
  fleetToken(): string
  setFleetToken(token: string): void
}

/** Optional overrides, used by tests (an already-open store, a manual clock, a quiet logger). */
export interface DepsOverrides { db?: Db; clock?: Clock; log?: Logger }

/** Builds the dependencies: opens and migrates the store, loads or creates the JWT secret. */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const log = overrides.log ?? createLogger(config)
  const embedded = !overrides.db && !config.databaseUrl
  if (embedded) await ensurePrivateDir(config.dataDir)
  // PGlite creates a new store's files world-readable; narrowing those is routine, not news for the operator
  const freshStore = embedded && !existsSync(path.join(config.dataDir, 'pgdata'))
  const db = overrides.db ?? (await openDb(config.databaseUrl
    ? { kind: 'pg', url: config.databaseUrl }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pgdata') }, (err) => log.warn({ err }, 'store connection lost; reconnecting')))
  await migrate(db)
  if (embedded) {
    const fixed = await securePrivateTree(config.dataDir)
    if (fixed) log[freshStore ? 'debug' : 'warn']({ dataDir: config.dataDir, fixed }, 'data folder had group/other access; narrowed to owner-only (0700/0600)')
  }
  const clock = overrides.clock ?? (config.timeScale === 1 ? systemClock : await persistentScaledClock(db, config.timeScale))
  const secret = config.jwtSecret ?? (await loadOrCreateSecret(config.dataDir))
  const metrics = new Registry()
  collectDefaultMetrics({ register: metrics })
  const live = createLiveHub(db, (err) => log.warn({ err }, 'live event dropped'))
  let selfUrl = `http://${config.host}:${config.port}`
  let fleetToken = ''
  const cloud = createCloud({ config, db, clock, live, log })
  const actuators = createActuators({ db, clock, cloud, dataDir: config.dataDir, twin: createTwinGitOps(cloud) })
  await actuators.resume()
  return {
    config, db, clock, log, tokens: createTokenService(secret, config.jwtTtlSeconds), live, metrics, cloud, registry: cloud, twin: cloud, actuators,
    selfUrl: () => selfUrl,
    setSelfUrl: (url) => { selfUrl = url },
    fleetToken: () => fleetToken,
    setFleetToken: (token) => { fleetToken = token },
  }
}

/**
 * A scaled fleet clock that continues where the last process left it: fleet time is anchored once
 * (simulated instant ↔ wall instant) in `settings`, so a restart neither rewinds the fleet (launched
 * instances turning pending again) nor double-counts; a new scale re-anchors at the current instant.
 */
async function persistentScaledClock(db: Db, scale: number): Promise<Clock> {
  const wallNow = Date.now()
  const raw = await getSetting(db, 'fleet_clock_anchor')
  const anchor = raw ? (JSON.parse(raw) as { sim: number; wall: number; scale: number }) : null
  const simNow = anchor ? anchor.sim + (wallNow - anchor.wall) * anchor.scale : wallNow
  if (!anchor || anchor.scale !== scale) {
    const value = JSON.stringify({ sim: simNow, wall: wallNow, scale })
    await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', ['fleet_clock_anchor', value])
  }
  return scaledClock(scale, new Date(simNow), Date.now)
}

/**
 * The JWT secret is generated once and kept (mode 0600) in the data folder, so it is never a
 * constant in code and survives restarts; replicas share it through OPTIINFRA_JWT_SECRET.
 */
async function loadOrCreateSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'jwt-secret')
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch {
    await ensurePrivateDir(dataDir)
    const secret = randomSecret(48)
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(async () => undefined)
    return (await readFile(file, 'utf8')).trim()
  }
}
