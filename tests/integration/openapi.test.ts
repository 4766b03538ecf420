import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Validator } from '@seriousme/openapi-schema-validator'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'

// tags: integration — issue 14: /docs/json is valid OpenAPI 3 under a maintained validator, every
// operation is named, summarized and tagged, public routes say so, and errors are documented.
type Op = { operationId?: string; summary?: string; tags?: string[]; security?: unknown[]; responses?: Record<string, unknown> }
let p: TestPlatform
let doc: { openapi: string; paths: Record<string, Record<string, Op>> }

beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  doc = (await p.http('GET', '/docs/json')).body
}, 120_000)
afterAll(async () => { await p?.stop() })

const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })))

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3 under @seriousme/openapi-schema-validator', async () => {
    expect(doc.openapi).toMatch(/^3\./)
    const result = await new Validator().validate(structuredClone(doc) as unknown as Record<string, unknown>)
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 3000)).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('the validator rejects an invalid document (the check can fail)', async () => {
    const broken = structuredClone(doc) as { paths: Record<string, unknown> }
    broken.paths['/broken'] = { get: { responses: { 200: { description: 'x', content: { 'application/json': { schema: { type: 'object', exclusiveMinimum: 0 } } } } } } }
    expect((await new Validator().validate(broken as unknown as Record<string, unknown>)).valid).toBe(false)
  })

  it('names, summarizes, tags and documents the errors of every operation', () => {
    const ops = operations()
    expect(ops.length).toBeGreaterThan(40)
    const ids = ops.map((o) => o.op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const { key, op } of ops) {
      expect(op.operationId, key).toMatch(/^[A-Za-z0-9_]+$/)
      expect(op.summary, key).toBeTruthy()
      expect(op.tags?.length, key).toBeGreaterThan(0)
      expect(Object.keys(op.responses ?? {}).some((c) => /^[45]/.test(c)), `${key} documents no error`).toBe(true)
    }
  })

  it('marks the public routes public and keeps the bearer requirement elsewhere', () => {
    const byKey = new Map(operations().map((o) => [o.key, o.op]))
    for (const key of ['POST /auth/login', 'POST /auth/signup', 'GET /health', 'GET /ready']) expect(byKey.get(key)?.security, key).toEqual([])
    expect(byKey.get('GET /customers/{id}')?.security).toBeUndefined()
    expect((doc as unknown as { security: unknown[] }).security).toEqual([{ bearer: [] }])
  })
})
