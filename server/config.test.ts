import { describe, expect, it } from 'vitest'
import { configFromEnv, ConfigError } from './config.ts'

describe('configuration', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const c = configFromEnv({}, '/srv')
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: '/srv/.optiinfra', demo: true, timeScale: 60, databaseUrl: undefined })
    // the twin's deployments serve unlike their registration unless told otherwise
    expect(c.simulatorVariation).toBe(true)
    expect(configFromEnv({ OPTIINFRA_SIM_VARIATION: 'false' }).simulatorVariation).toBe(false)
  })
  it('reads every documented variable', () => {
    const c = configFromEnv({ PORT: '9000', DATABASE_URL: 'postgres://u@h/db', OPTIINFRA_TIME_SCALE: '600', OPTIINFRA_DEMO: 'false', OPTIINFRA_CORS_ORIGINS: 'https://a.example, https://b.example' })
    expect(c).toMatchObject({ port: 9000, databaseUrl: 'postgres://u@h/db', timeScale: 600, demo: false, corsOrigins: ['https://a.example', 'https://b.example'] })
  })
  it.each([
    [{ PORT: 'eighty' }, /PORT=eighty/],
    [{ PORT: '70000' }, /PORT/],
    [{ OPTIINFRA_TIME_SCALE: '-1' }, /OPTIINFRA_TIME_SCALE/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ OPTIINFRA_DEMO: 'maybe' }, /OPTIINFRA_DEMO/],
    [{ OPTIINFRA_JWT_SECRET: 'short' }, /at least 32/],
    [{ OPTIINFRA_ADMIN_EMAIL: 'a@b.c' }, /OPTIINFRA_ADMIN_PASSWORD/],
  ])('rejects %o with a message naming the variable', (env, msg) => {
    expect(() => configFromEnv(env)).toThrow(ConfigError)
    expect(() => configFromEnv(env)).toThrow(msg)
  })
})
