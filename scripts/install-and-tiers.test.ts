import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * Users install with plain `npm ci` on Linux and macOS; `npm ci` refuses a lockfile whose root
 * entry disagrees with package.json, and a lockfile written on one platform may lack the others'
 * optional native packages (rollup, esbuild). These checks fail the unit tier before a user does.
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
  scripts: Record<string, string>
}
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  lockfileVersion: number
  packages: Record<string, { version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>
}

/** The native packages each bundler needs per platform users run (Linux x64/arm64, macOS x64/arm64). */
const platforms = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64']

describe('install as users do', () => {
  it('the lockfile root lists exactly the dependencies of package.json (npm ci refuses otherwise)', () => {
    const root = lock.packages['']!
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3)
    expect(root.dependencies).toEqual(pkg.dependencies)
    expect(root.devDependencies).toEqual(pkg.devDependencies)
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBeTruthy()
    }
  })

  it('holds every platform optional package that rollup and esbuild declare', () => {
    for (const owner of ['rollup', 'esbuild']) {
      const optional = Object.keys(lock.packages[`node_modules/${owner}`]?.optionalDependencies ?? {})
      expect(optional.length, owner).toBeGreaterThan(0)
      for (const platform of platforms) {
        const wanted = optional.filter((name) => name.includes(platform))
        expect(wanted.length, `${owner} ${platform}`).toBeGreaterThan(0)
        for (const name of wanted) expect(lock.packages[`node_modules/${name}`], name).toBeDefined()
      }
    }
  })
})

describe('tier commands pass alone', () => {
  it('coverage thresholds gate only the full run, never a tier or a single file', () => {
    const gated = Object.entries(pkg.scripts).filter(([, cmd]) => cmd.includes('OPTIINFRA_COVERAGE_GATE'))
    expect(gated.map(([name]) => name)).toEqual(['test'])
    expect(readFileSync('vitest.config.ts', 'utf8')).toMatch(/thresholds: process\.env\.OPTIINFRA_COVERAGE_GATE \?/)
  })
})
