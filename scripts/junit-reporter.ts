import { JUnitReporter } from 'vitest/reporters'

/**
 * Seconds as the Jenkins xUnit plugin's JUnit schema accepts them (its SUREFIRE_TIME pattern: at
 * most 3 decimals). Vitest writes up to 10 decimals, which that schema rejects.
 */
export function xunitSeconds(value: unknown): string {
  const seconds = Number(value)
  return Number.isFinite(seconds) ? seconds.toFixed(3) : '0.000'
}

/** Vitest's JUnit reporter with every `time` attribute in the xUnit plugin's format. */
export default class XunitJUnitReporter extends JUnitReporter {
  override writeElement(name: string, attrs: Record<string, unknown>, children: () => Promise<void>): Promise<void> {
    return super.writeElement(name, 'time' in attrs ? { ...attrs, time: xunitSeconds(attrs.time) } : attrs, children)
  }
}
