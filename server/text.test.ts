import { describe, expect, it } from 'vitest'
import { findBadText, textProblem } from './text.ts'

describe('the text rule', () => {
  it('accepts any well-formed text, including astral characters and other control characters', () => {
    expect(textProblem('Acme ✓ 🚀 \t\n\u0001')).toBeNull()
  })

  it('refuses a NUL character and an unpaired surrogate (high or low)', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/)
    expect(textProblem('a\ud800b')).toMatch(/surrogate/)
    expect(textProblem('\udc00')).toMatch(/surrogate/)
  })

  it('finds the first bad string anywhere in a body, keys included, and says where', () => {
    expect(findBadText({ a: [1, 'ok', { b: 'x\u0000' }] }, 'body')).toBe('body.a[2].b contains a NUL character')
    expect(findBadText({ ['k\ud800']: 1 }, 'query')).toBe('a key of query contains an unpaired UTF-16 surrogate')
    expect(findBadText({ a: ['fine'], n: 3, z: null }, 'body')).toBeUndefined()
  })
})
