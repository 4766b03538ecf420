/**
 * `npm run test:report`: reads the last run's JUnit XML and coverage summary and prints the report
 * in the shape of seed 000 §10 — per category, pass/fail, durations, slowest 10, coverage per
 * component, and each validation criterion of docs/validation.md judged from the run's results.
 * Writes the same text to reports/summary.txt. Exits 1 when any test failed or a criterion is unmet.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { XMLParser } from 'fast-xml-parser'
import { parseCriteria, judgeCriteria, type TestResult } from './validation-criteria.ts'

const CATEGORIES = ['e2e', 'integration', 'performance', 'security', 'unit', 'browser'] as const

function readJunit(file: string): TestResult[] {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8'))
  const suites = [xml.testsuites?.testsuite ?? []].flat()
  type Case = { classname?: string; name: string; time?: string; failure?: unknown; error?: unknown; skipped?: unknown }
  return suites.flatMap((s: { name: string; testcase?: Case | Case[] }) => [s.testcase ?? []].flat().map((c: Case) => ({
    file: String(c.classname ?? s.name),
    name: String(c.name),
    seconds: Number(c.time ?? 0),
    status: c.failure || c.error ? 'failed' : c.skipped !== undefined ? 'skipped' : 'passed',
  } as TestResult)))
}

function category(t: TestResult): string {
  return CATEGORIES.find((c) => t.file.startsWith(`tests/${c}/`)) ?? 'unit'
}

function coverageByComponent(file: string): string[] {
  if (!existsSync(file)) return ['  (no coverage summary: run npm test with coverage)']
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { statements: { total: number; covered: number } }>
  const groups = new Map<string, { total: number; covered: number }>()
  for (const [path, s] of Object.entries(summary)) {
    if (path === 'total') continue
    const m = /(server\/[^/]+|api)\//.exec(path)
    const key = m ? `${m[1]}/` : 'server/'
    const g = groups.get(key) ?? { total: 0, covered: 0 }
    g.total += s.statements.total; g.covered += s.statements.covered
    groups.set(key, g)
  }
  const row = (name: string, g: { total: number; covered: number }) => {
    const pct = g.total ? (100 * g.covered) / g.total : 100
    return `${name.padEnd(28)} ${String(g.total).padStart(6)} ${String(g.total - g.covered).padStart(6)} ${pct.toFixed(0).padStart(5)}%   ${pct >= 80 ? '✅ PASS' : '⚠️  LOW'}`
  }
  const total = summary.total?.statements ?? { total: 0, covered: 0 }
  return ['Component                     Stmts   Miss  Cover   Status', '─'.repeat(62),
    ...[...groups.entries()].sort().map(([k, g]) => row(k, g)), '─'.repeat(62), row('TOTAL', total)]
}

function main() {
  const junit = 'reports/junit.xml'
  if (!existsSync(junit)) { console.error('no reports/junit.xml: run npm test first'); process.exit(2) }
  const tests = readJunit(junit)
  const lines: string[] = ['='.repeat(62), 'OptiInfra System Tests', '='.repeat(62), `Report: ${new Date().toISOString()}`, '']
  for (const c of CATEGORIES) {
    const inCat = tests.filter((t) => category(t) === c)
    if (!inCat.length) continue
    const failed = inCat.filter((t) => t.status === 'failed').length
    const secs = inCat.reduce((s, t) => s + t.seconds, 0)
    lines.push(`${c.toUpperCase()} TESTS (${inCat.length}): ${inCat.length - failed - inCat.filter((t) => t.status === 'skipped').length} passed, ${failed} failed, ${secs.toFixed(1)}s`)
    for (const t of inCat.filter((x) => c !== 'unit' || x.status === 'failed')) lines.push(`  ${t.status === 'passed' ? '✅' : t.status === 'failed' ? '❌' : '⏭ '} ${t.file} › ${t.name} (${t.seconds.toFixed(2)}s)`)
    lines.push('')
  }
  lines.push('Slowest 10:', ...[...tests].sort((a, b) => b.seconds - a.seconds).slice(0, 10).map((t) => `  ${t.seconds.toFixed(2).padStart(7)}s  ${t.file} › ${t.name}`), '')
  lines.push('Coverage Report:', ...coverageByComponent('reports/coverage/coverage-summary.json'), '')
  const criteria = judgeCriteria(parseCriteria(readFileSync('docs/validation.md', 'utf8')), tests)
  lines.push('Validation criteria (seed 000 §7), judged from this run:')
  for (const c of criteria) lines.push(`  ${c.met ? '✅' : '❌'} [${c.area}] ${c.requirement} — ${c.detail}`)
  const failed = tests.filter((t) => t.status === 'failed').length
  const unmet = criteria.filter((c) => !c.met).length
  lines.push('', `Total tests: ${tests.length}   Passed: ${tests.filter((t) => t.status === 'passed').length}   Failed: ${failed}   Skipped: ${tests.filter((t) => t.status === 'skipped').length}`,
    `Duration (sum of tests): ${tests.reduce((s, t) => s + t.seconds, 0).toFixed(1)}s`,
    failed || unmet ? `❌ TEST SUITE FAILED (${failed} failed tests, ${unmet} unmet criteria)` : '✅ TEST SUITE PASSED - all validation criteria met')
  const text = lines.join('\n')
  writeFileSync('reports/summary.txt', `${text}\n`)
  console.log(text)
  process.exitCode = failed || unmet ? 1 : 0
}

main()
