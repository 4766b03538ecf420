import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { XMLParser } from 'fast-xml-parser'
import { xunitSeconds } from './junit-reporter.ts'

/**
 * The JUnit XML checked against the Jenkins xUnit plugin's JUnit schema, vendored from
 * github.com/jenkinsci/xunit-plugin, src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd
 * (commit 8c515de2804b). No XSD validator runs offline from npm here (and xmllint is not installed),
 * so the test applies the schema's own rules structurally: its SUREFIRE_TIME pattern, read from the
 * vendored file, on every `time` it constrains, and the attributes it requires and declares.
 */
const xsd = readFileSync('tests/support/schemas/xunit-junit-10.xsd', 'utf8')
const SUREFIRE_TIME = new RegExp(`^(?:${/name="SUREFIRE_TIME">\s*<xs:restriction base="xs:string">\s*<xs:pattern value="([^"]+)"/.exec(xsd)![1]})$`)

/** The attributes the schema declares (and requires) for an element. */
function declared(element: string): { all: Set<string>; required: string[] } {
  const block = new RegExp(`<xs:element name="${element}">([\\s\\S]*?)</xs:element>\\s*\\n\\s*<xs:element name=|<xs:element name="${element}">([\\s\\S]*?)</xs:schema>`).exec(xsd)!
  const body = block[1] ?? block[2]!
  const attrs = [...body.matchAll(/<xs:attribute name="([^"]+)"[^>]*?(use="required")?\s*\/>/g)]
  return { all: new Set(attrs.map((a) => a[1]!)), required: attrs.filter((a) => a[2]).map((a) => a[1]!) }
}

function checkElement(name: string, node: Record<string, unknown>, problems: string[]): void {
  const { all, required } = declared(name)
  const attrs = Object.keys(node).filter((k) => k.startsWith('@')).map((k) => k.slice(1))
  for (const a of attrs) if (!all.has(a)) problems.push(`${name}@${a} is not declared`)
  for (const r of required) if (!attrs.includes(r)) problems.push(`${name}@${r} is required`)
  if ((name === 'testsuites' || name === 'testsuite') && node['@time'] !== undefined && !SUREFIRE_TIME.test(String(node['@time']))) problems.push(`${name}@time=${String(node['@time'])} does not match SUREFIRE_TIME`)
}

/** Every schema rule this test applies, on a parsed report; returns the violations. */
function violations(xml: string): string[] {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false }).parse(xml) as { testsuites: Record<string, unknown> }
  const problems: string[] = []
  checkElement('testsuites', doc.testsuites, problems)
  for (const suite of [doc.testsuites.testsuite ?? []].flat() as Record<string, unknown>[]) {
    checkElement('testsuite', suite, problems)
    for (const c of [suite.testcase ?? []].flat() as Record<string, unknown>[]) {
      checkElement('testcase', c, problems)
      if (!/^\d+\.\d{3}$/.test(String(c['@time']))) problems.push(`testcase@time=${String(c['@time'])} has not 3 decimals`)
    }
  }
  return problems
}

describe('JUnit report', () => {
  it('rounds seconds to the 3 decimals the xUnit schema allows', () => {
    expect(xunitSeconds('0.123456789')).toBe('0.123')
    expect(xunitSeconds(12.3456)).toBe('12.346')
    expect(xunitSeconds(undefined)).toBe('0.000')
    expect(SUREFIRE_TIME.test('0.123456789')).toBe(false)
    expect(SUREFIRE_TIME.test(xunitSeconds('0.123456789'))).toBe(true)
  })

  it('written by a real Vitest run is valid under the Jenkins xUnit JUnit schema', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'junit-')), 'junit.xml')
    execFileSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', 'server/text.test.ts', '--coverage.enabled=false',
      '--reporter=./scripts/junit-reporter.ts', `--outputFile.junit=${out}`], { stdio: 'pipe', env: { ...process.env, OPTIINFRA_COVERAGE_GATE: '' } })
    const xml = readFileSync(out, 'utf8')
    expect(xml).toContain('<testcase')
    expect(violations(xml)).toEqual([])
  }, 60_000)

  it('finds a report with vitest\'s own 9-decimal times invalid (the check can fail)', () => {
    const xml = '<testsuites name="vitest tests" tests="1" failures="0" errors="0" time="1.234567891"><testsuite name="a" tests="1" failures="0" errors="0" time="0.000123456"><testcase name="t" classname="a" time="0.000123456"/></testsuite></testsuites>'
    expect(violations(xml)).toHaveLength(3)
  })
})
