import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { judgeCriteria, parseCriteria, type TestResult } from './validation-criteria.ts'

const t = (name: string, status: TestResult['status'] = 'passed'): TestResult => ({ file: 'tests/x.test.ts', name, seconds: 1, status })

describe('validation criteria', () => {
  it('reads every criterion row of docs/validation.md with at least one test', () => {
    const criteria = parseCriteria(readFileSync('docs/validation.md', 'utf8'))
    expect(criteria.length).toBeGreaterThanOrEqual(30)
    expect(criteria.every((c) => c.tests.length > 0)).toBe(true)
    expect(new Set(criteria.map((c) => c.area))).toEqual(new Set(['Functional', 'Performance', 'Cost', 'Quality', 'Security', 'Multi-Agent', 'Rollback', 'Data Integrity']))
  })
  it('meets a criterion only when all its tests ran and passed', () => {
    const [c] = parseCriteria('| Security | X | y | `test_a`; `test_b` |')
    expect(judgeCriteria([c!], [t('test_a'), t('test_b')])[0]!.met).toBe(true)
    expect(judgeCriteria([c!], [t('test_a')])[0]).toMatchObject({ met: false, detail: 'not run: test_b' })
    expect(judgeCriteria([c!], [t('test_a'), t('test_b', 'failed')])[0]).toMatchObject({ met: false, detail: 'failed: test_b' })
  })
})
