import path from 'node:path'

/** Typed platform configuration, validated once at start-up (only `main` reads the environment). */
export interface Config {
  port: number
  host: string
  dataDir: string
  /** PostgreSQL URL; when absent the embedded PGlite store in `dataDir` is used. */
  databaseUrl?: string
  /** Simulated seconds per wall second for fleet and workflow time. */
  timeScale: number
  /** Seed the simulator's demo fleet and demo accounts at start-up. */
  demo: boolean
  jwtSecret?: string
  jwtTtlSeconds: number
  adminEmail?: string
  adminPassword?: string
  logLevel: string
  /** `pretty` (human-readable), `json` (one object a line), or `auto`: pretty on a terminal, JSON otherwise. */
  logFormat: 'auto' | 'pretty' | 'json'
  /** Requests per minute per token (or per IP when anonymous). */
  rateLimitPerMinute: number
  /** Login/signup attempts per minute per IP. */
  authRateLimitPerMinute: number
  bodyLimitBytes: number
  corsOrigins: string[]
  /** The portal is reached over HTTPS (TLS here or at a proxy): enables HSTS and upgrade-insecure-requests. */
  https: boolean
  /** Whether a GitOps actuator may name a repository on this machine's disk (tests, the twin); off by default. */
  gitopsAllowLocal: boolean
  /** Whether notification webhooks may be plain HTTP or private/loopback addresses (tests); off by default. */
  webhooksAllowPrivate: boolean
  /** Prometheus sources on private or loopback addresses (a self-hosted platform inside the fleet's network). */
  telemetryAllowPrivate: boolean
  simulatorSeed: number
  /** Newly registered simulated deployments serve unlike their registration, as real fleets do. */
  simulatorVariation: boolean
  /** Hours of imported bill before a change and after it settled that its realized savings are measured over. */
  billSettlementHours: number
  /** Agent-runtime scrape interval in simulated seconds. */
  scrapeIntervalSeconds: number
  /** Telemetry batches ingested at once per process; more are refused with 429 (back-pressure). */
  ingestMaxInFlight: number
  /** Run workflow workers, agents and the runtime in this process (false: API only). */
  workers: boolean
  /** On-demand instances every spot deployment keeps (null: enough to serve its SLO at average load, at least one). */
  reconcilerOnDemandFloor: number | null
  /** Fleet minutes before the reconciler tries again to return capacity to spot after a refusal. */
  reconcilerSpotRetryMinutes: number
  /** Wall ms between reconcile passes (null: about every 10 s of fleet time, 50 ms to 1 s of wall time). */
  reconcilerIntervalMs: number | null
}

/** Environment variables read by `configFromEnv`, with their meaning; the README table mirrors this. */
export const ENV_VARS = {
  PORT: 'HTTP port (default 8080)',
  HOST: 'bind address (default 127.0.0.1)',
  OPTIINFRA_DATA_DIR: 'embedded store and generated secrets (default ./.optiinfra)',
  DATABASE_URL: 'use PostgreSQL instead of the embedded PGlite store',
  OPTIINFRA_TIME_SCALE: 'simulated seconds per wall second (default 60)',
  OPTIINFRA_DEMO: '"false" to skip the demo fleet and accounts',
  OPTIINFRA_JWT_SECRET: 'JWT signing secret (default: generated once, kept in the data dir)',
  OPTIINFRA_JWT_TTL: 'access token lifetime in seconds (default 3600)',
  OPTIINFRA_ADMIN_EMAIL: 'first admin account email',
  OPTIINFRA_ADMIN_PASSWORD: 'first admin account password',
  LOG_LEVEL: 'pino level (default info)',
  OPTIINFRA_LOG_FORMAT: '"json" or "pretty" (default: pretty on a terminal, JSON otherwise)',
  OPTIINFRA_RATE_LIMIT: 'requests per minute per token (default 3000)',
  OPTIINFRA_AUTH_RATE_LIMIT: 'login/signup attempts per minute per IP (default 30)',
  OPTIINFRA_BODY_LIMIT: 'max request body in bytes (default 1048576)',
  OPTIINFRA_CORS_ORIGINS: 'comma-separated allowed origins (default: same origin only)',
  OPTIINFRA_HTTPS: '"true" when users reach the portal over HTTPS (TLS-terminating proxy): HSTS and upgrade-insecure-requests',
  OPTIINFRA_GITOPS_ALLOW_LOCAL: '"true" lets a GitOps actuator name a repository on the server\'s own disk (tests, the twin); off by default',
  OPTIINFRA_WEBHOOKS_ALLOW_PRIVATE: '"true" lets notification webhooks use plain HTTP and private or loopback addresses (tests); off by default',
  OPTIINFRA_TELEMETRY_ALLOW_PRIVATE: '"true" lets Prometheus telemetry sources be on private or loopback addresses (a platform inside the fleet\'s network, tests); off by default',
  OPTIINFRA_SEED: 'simulator seed (default 42)',
  OPTIINFRA_SIM_VARIATION: '"false" makes newly registered simulated deployments serve exactly as registered; by default each gets hidden, seeded variation (GPU efficiency, request rate, prompt and answer lengths) that the agents learn from telemetry',
  OPTIINFRA_BILL_SETTLEMENT_HOURS: 'hours of imported FOCUS bill before a change started and after it settled that its bill-settled savings compare (default 24)',
  OPTIINFRA_SCRAPE_INTERVAL: 'telemetry scrape interval in simulated seconds (default 30)',
  OPTIINFRA_INGEST_MAX_IN_FLIGHT: 'telemetry batches ingested at once per process before 429 + Retry-After (default 4)',
  OPTIINFRA_WORKERS: '"false" to run the API without workers, agents and runtime',
  OPTIINFRA_RECONCILER_ONDEMAND_FLOOR: 'on-demand instances every spot deployment keeps at all times (unset: only latency-critical deployments keep a floor; the others replace lost capacity on-demand first up to it)',
  OPTIINFRA_RECONCILER_SPOT_RETRY_MINUTES: 'fleet minutes before capacity standing in on-demand is tried on spot again after a refusal (default 15)',
  OPTIINFRA_RECONCILER_INTERVAL_MS: 'wall milliseconds between reconcile passes (default: about every 10 s of fleet time)',
} as const

type Env = Record<string, string | undefined>

/** A configuration value that cannot be used; `main` prints it and exits 2. */
export class ConfigError extends Error {}

function int(env: Env, key: keyof typeof ENV_VARS, def: number, min: number, max: number): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return def
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key}=${raw}: expected an integer from ${min} to ${max}`)
  return n
}

function num(env: Env, key: keyof typeof ENV_VARS, def: number): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return def
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${key}=${raw}: expected a positive number`)
  return n
}

function bool(env: Env, key: keyof typeof ENV_VARS, def: boolean): boolean {
  const raw = env[key]?.toLowerCase()
  if (raw === undefined || raw === '') return def
  if (['1', 'true', 'yes'].includes(raw)) return true
  if (['0', 'false', 'no'].includes(raw)) return false
  throw new ConfigError(`${key}=${env[key]}: expected true or false`)
}

function logFormat(raw: string | undefined): Config['logFormat'] {
  if (!raw) return 'auto'
  if (raw === 'auto' || raw === 'pretty' || raw === 'json') return raw
  throw new ConfigError(`OPTIINFRA_LOG_FORMAT=${raw}: expected json, pretty or auto`)
}

/** Builds and validates the configuration from environment variables. */
export function configFromEnv(env: Env, cwd = process.cwd()): Config {
  const databaseUrl = env.DATABASE_URL || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://')
  if (env.OPTIINFRA_ADMIN_EMAIL && !env.OPTIINFRA_ADMIN_PASSWORD) throw new ConfigError('OPTIINFRA_ADMIN_EMAIL is set but OPTIINFRA_ADMIN_PASSWORD is not')
  if (env.OPTIINFRA_JWT_SECRET !== undefined && env.OPTIINFRA_JWT_SECRET.length < 32) throw new ConfigError('OPTIINFRA_JWT_SECRET must be at least 32 characters')
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: path.resolve(cwd, env.OPTIINFRA_DATA_DIR || '.optiinfra'),
    databaseUrl,
    timeScale: num(env, 'OPTIINFRA_TIME_SCALE', 60),
    demo: bool(env, 'OPTIINFRA_DEMO', true),
    jwtSecret: env.OPTIINFRA_JWT_SECRET || undefined,
    jwtTtlSeconds: int(env, 'OPTIINFRA_JWT_TTL', 3600, 60, 30 * 86400),
    adminEmail: env.OPTIINFRA_ADMIN_EMAIL || undefined,
    adminPassword: env.OPTIINFRA_ADMIN_PASSWORD || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: logFormat(env.OPTIINFRA_LOG_FORMAT),
    rateLimitPerMinute: int(env, 'OPTIINFRA_RATE_LIMIT', 3000, 1, 1_000_000),
    authRateLimitPerMinute: int(env, 'OPTIINFRA_AUTH_RATE_LIMIT', 30, 1, 1_000_000),
    bodyLimitBytes: int(env, 'OPTIINFRA_BODY_LIMIT', 1_048_576, 1024, 100 * 1_048_576),
    corsOrigins: (env.OPTIINFRA_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    https: bool(env, 'OPTIINFRA_HTTPS', false),
    gitopsAllowLocal: bool(env, 'OPTIINFRA_GITOPS_ALLOW_LOCAL', false),
    webhooksAllowPrivate: bool(env, 'OPTIINFRA_WEBHOOKS_ALLOW_PRIVATE', false),
    telemetryAllowPrivate: bool(env, 'OPTIINFRA_TELEMETRY_ALLOW_PRIVATE', false),
    simulatorSeed: int(env, 'OPTIINFRA_SEED', 42, 0, 2 ** 31 - 1),
    simulatorVariation: bool(env, 'OPTIINFRA_SIM_VARIATION', true),
    billSettlementHours: int(env, 'OPTIINFRA_BILL_SETTLEMENT_HOURS', 24, 1, 24 * 31),
    scrapeIntervalSeconds: int(env, 'OPTIINFRA_SCRAPE_INTERVAL', 30, 1, 3600),
    ingestMaxInFlight: int(env, 'OPTIINFRA_INGEST_MAX_IN_FLIGHT', 4, 1, 1000),
    workers: bool(env, 'OPTIINFRA_WORKERS', true),
    reconcilerOnDemandFloor: env.OPTIINFRA_RECONCILER_ONDEMAND_FLOOR ? int(env, 'OPTIINFRA_RECONCILER_ONDEMAND_FLOOR', 1, 0, 64) : null,
    reconcilerSpotRetryMinutes: int(env, 'OPTIINFRA_RECONCILER_SPOT_RETRY_MINUTES', 15, 1, 10_080),
    reconcilerIntervalMs: env.OPTIINFRA_RECONCILER_INTERVAL_MS ? int(env, 'OPTIINFRA_RECONCILER_INTERVAL_MS', 1000, 10, 600_000) : null,
  }
}
