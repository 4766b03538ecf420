import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { errors, INTERNAL_ERROR_CODE } from './errors.ts'

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
const documented = new Map([...doc.matchAll(/^\| (OPT_[A-Z_]+) \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]))

describe('error catalog', () => {
  it('documents every catalog code in docs/errors.md with its status', () => {
    for (const [code, Ctor] of Object.entries(errors)) {
      expect(documented.get(code), `${code} missing from docs/errors.md`).toBe(new Ctor('x', 'y').statusCode)
    }
  })
  it('documents no code that the catalog no longer has', () => {
    const known = new Set([...Object.keys(errors), INTERNAL_ERROR_CODE])
    expect([...documented.keys()].filter((c) => !known.has(c))).toEqual([])
  })
  it('uses only 4xx statuses (and 503) for catalog errors, never a bare 500', () => {
    for (const Ctor of Object.values(errors)) {
      const status = new Ctor('x', 'y').statusCode ?? 500
      expect(status === 503 || (status >= 400 && status < 500)).toBe(true)
    }
  })
})
