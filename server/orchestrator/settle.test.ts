import { describe, expect, it } from 'vitest'
import { deploymentWindow, MIN_SETTLED_MS } from './settle.ts'

const now = new Date('2026-12-07T12:00:00Z')
const WINDOW = 15 * 60_000
const ago = (ms: number) => new Date(now.getTime() - ms)

describe('the signal window of a deployment', () => {
  it('is the usual window for a deployment never changed, or changed before the window began', () => {
    expect(deploymentWindow(now, WINDOW, undefined)).toEqual({ from: ago(WINDOW), to: now, settling: null })
    expect(deploymentWindow(now, WINDOW, { active: false, endedAt: ago(WINDOW + 1) })).toEqual({ from: ago(WINDOW), to: now, settling: null })
  })

  it('starts when the last change ended, so no rollout minute is read', () => {
    const w = deploymentWindow(now, WINDOW, { active: false, endedAt: ago(MIN_SETTLED_MS + 60_000) })
    expect(w).toEqual({ from: ago(MIN_SETTLED_MS + 60_000), to: now, settling: null })
  })

  it('is settling until enough telemetry after the change exists, and says until when', () => {
    const w = deploymentWindow(now, WINDOW, { active: false, endedAt: ago(60_000) })
    expect(w.from).toEqual(ago(60_000))
    expect(w.settling).toMatchObject({ since: ago(60_000).toISOString(), until: new Date(now.getTime() - 60_000 + MIN_SETTLED_MS).toISOString() })
    expect(w.settling!.reason).toMatch(/5 minutes of telemetry/)
  })

  it('is settling with no end while a change is rolled out', () => {
    const w = deploymentWindow(now, WINDOW, { active: true, endedAt: null })
    expect(w.settling).toMatchObject({ until: null, reason: 'a change is being rolled out' })
  })
})
