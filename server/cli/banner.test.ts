import { describe, expect, it } from 'vitest'
import { bannerLines } from './banner.ts'

const base = { url: 'http://127.0.0.1:8080', running: true, store: 'PGlite in /d', timeScale: 60, demo: true, accounts: [] }

describe('start banner', () => {
  it('says the fleet is simulated at its time scale and ends with the one-time logins', () => {
    const lines = bannerLines({ ...base, created: [{ email: 'admin@x', password: 'pw1', role: 'admin' }, { email: 'demo@x', password: 'pw2', role: 'customer' }] })
    expect(lines.join('\n')).toContain('simulated demo fleet')
    expect(lines.join('\n')).toContain('×60 time')
    expect(lines.filter((l) => l.trim()).at(-1)).toContain('customer login: demo@x  password: pw2')
  })

  it('lists accounts without passwords on a restart and points to reset-password', () => {
    const text = bannerLines({ ...base, created: [], accounts: [{ email: 'admin@x', role: 'admin', disabled: false }] }).join('\n')
    expect(text).toContain('admin@x')
    expect(text).not.toContain('password:')
    expect(text).toContain('optiinfra reset-password --email')
  })

  it('does not claim a simulated fleet outside demo mode', () => {
    expect(bannerLines({ ...base, demo: false, created: [] }).join('\n')).not.toContain('simulated')
  })
})
