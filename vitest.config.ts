import { defineConfig } from 'vitest/config'

const slow = process.env.OPTIINFRA_SKIP_SLOW ? ['**/*.slow.test.ts'] : []

/**
 * One Vitest run, six projects (the seeds' tiers). `npm test` selects every tier that needs
 * nothing outside the repo; `test:browser` needs Chromium and runs on its own.
 */
export default defineConfig({
  test: {
    // JUnit in the Jenkins xUnit schema's format (time with 3 decimals): scripts/junit-reporter.ts
    reporters: ['default', './scripts/junit-reporter.ts'],
    hookTimeout: 60_000,
    // one worker per core: the e2e files start whole platforms (simulator, scraper, agents, PGlite)
    // that keep the CPU busy, and a third worker on 2 cores stretched single tests past their
    // time-outs (2026-12-07: load 6, conflict and approval flows at 3× their time alone)
    maxWorkers: 2,
    minWorkers: 1,
    outputFile: { junit: 'reports/junit.xml' },
    coverage: {
      enabled: true,
      provider: 'v8',
      reporter: ['text-summary', 'html', 'json-summary'],
      reportsDirectory: 'reports/coverage',
      include: ['server/**/*.ts', 'api/**/*.ts'],
      exclude: ['**/*.test.ts', 'server/test/**', 'server/main.ts', 'server/cli/**'],
      // a tier or a single file covers only its part: the thresholds gate the full run (`npm test`) alone
      thresholds: process.env.OPTIINFRA_COVERAGE_GATE ? { lines: 80, statements: 80, functions: 75, branches: 70 } : undefined,
      reportOnFailure: true,
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['server/**/*.test.ts', 'api/**/*.test.ts', 'scripts/**/*.test.ts', 'deploy/**/*.test.ts'], exclude: slow, testTimeout: 20_000 } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], exclude: slow, testTimeout: 60_000 } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], exclude: slow, testTimeout: 120_000 } },
      // measured alone, after every other tier, so other tiers' platforms do not share its 2 cores
      { extends: true, test: { name: 'performance', include: ['tests/performance/**/*.test.ts'], exclude: slow, testTimeout: 180_000, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'security', include: ['tests/security/**/*.test.ts'], exclude: slow, testTimeout: 60_000 } },
      { extends: true, test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
})
