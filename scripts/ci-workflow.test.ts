import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Ajv } from 'ajv'
import { parse } from 'yaml'

/**
 * `.github/workflows/ci.yml` checked against SchemaStore's public GitHub workflow schema, vendored
 * from github.com/SchemaStore/schemastore, src/schemas/json/github-workflow.json (commit 3b6446ad8a07),
 * and against `.ci/run`: the workflow must run the same npm scripts.
 */
const workflow = parse(readFileSync('.github/workflows/ci.yml', 'utf8')) as {
  on: Record<string, unknown>
  jobs: Record<string, { services?: Record<string, { image: string }>; steps: { run?: string; uses?: string; with?: Record<string, unknown> }[] }>
}
const schema = JSON.parse(readFileSync('tests/support/schemas/github-workflow.json', 'utf8')) as object

describe('GitHub Actions workflow', () => {
  it('is valid under the public workflow schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true })
    const validate = ajv.compile(schema)
    expect(validate(workflow), JSON.stringify(validate.errors, null, 1)).toBe(true)
  })

  it('rejects a workflow the schema forbids (the check can fail)', () => {
    const validate = new Ajv({ strict: false }).compile(schema)
    expect(validate({ ...workflow, jobs: { test: { steps: [] } } })).toBe(false)
  })

  it('runs every npm script .ci/run runs, on PostgreSQL as a service, nightly, uploading JUnit and coverage', () => {
    const ciRun = readFileSync('.ci/run', 'utf8')
    const scripts = [...ciRun.matchAll(/^\s*(?:[A-Z_]+=\S+\s+)?npm (run [\w:]+|test|ci)\b/gm)].map((m) => m[1]!)
    expect(scripts.length).toBeGreaterThanOrEqual(6)
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps)
    const runs = steps.map((s) => s.run ?? '').join('\n')
    for (const s of scripts) expect(runs, `npm ${s}`).toContain(`npm ${s}`)
    expect(Object.values(workflow.jobs).some((j) => Object.values(j.services ?? {}).some((s) => /postgres|pgvector/.test(s.image)))).toBe(true)
    expect(workflow.on.schedule).toBeTruthy()
    const uploaded = steps.filter((s) => s.uses?.startsWith('actions/upload-artifact')).map((s) => String(s.with?.path))
    expect(uploaded.some((p) => p.includes('junit'))).toBe(true)
    expect(uploaded.some((p) => p.includes('coverage'))).toBe(true)
    expect(runs).toContain('GITHUB_STEP_SUMMARY')
  })
})
