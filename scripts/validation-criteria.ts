/** One test's outcome from the JUnit report. */
export interface TestResult { file: string; name: string; seconds: number; status: 'passed' | 'failed' | 'skipped' }

/** A validation criterion and the tests (name substrings) that check it. */
export interface Criterion { area: string; requirement: string; tests: string[] }

/**
 * Reads the criteria table of docs/validation.md: `| area | requirement | pass criteria | tests |`
 * where tests is a `;`-separated list of test-name substrings in backticks.
 */
export function parseCriteria(markdown: string): Criterion[] {
  return [...markdown.matchAll(/^\| ([A-Za-z -]+) \| ([^|]+) \| [^|]+ \| ([^|]+) \|$/gm)]
    .filter((m) => m[1] !== 'Area' && !m[1]!.startsWith('-'))
    .map((m) => ({ area: m[1]!.trim(), requirement: m[2]!.trim(), tests: [...m[3]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!) }))
}

/** A criterion is met when each of its tests ran in this run and every matching test passed. */
export function judgeCriteria(criteria: Criterion[], results: TestResult[]) {
  return criteria.map((c) => {
    const missing = c.tests.filter((t) => !results.some((r) => r.name.includes(t)))
    const failing = c.tests.filter((t) => results.some((r) => r.name.includes(t) && r.status !== 'passed'))
    const met = c.tests.length > 0 && !missing.length && !failing.length
    const detail = !c.tests.length ? 'no test mapped' : missing.length ? `not run: ${missing.join(', ')}` : failing.length ? `failed: ${failing.join(', ')}` : `${c.tests.length} test(s) passed`
    return { ...c, met, detail }
  })
}
