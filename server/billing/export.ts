import type { CloudProvider } from '../cloud/provider.ts'
import { parseTime } from '../telemetry/metrics.ts'
import { toFocusCsv, type ExportLine } from './focus.ts'

const HOUR = 3_600_000
/** Longest export window: a billing month (one bill read per hour). */
export const MAX_EXPORT_HOURS = 31 * 24

/** The export's [from, to): whole hours, at most MAX_EXPORT_HOURS, default the last 24 h. */
export function exportWindow(q: { start_time?: string; end_time?: string }, now: Date): { ok: true; from: Date; to: Date } | { ok: false; message: string } {
  const end = q.end_time === undefined ? now : parseTime(q.end_time)
  const start = q.start_time === undefined && end ? new Date(end.getTime() - 24 * HOUR) : q.start_time === undefined ? null : parseTime(q.start_time)
  if (!end || !start) return { ok: false, message: 'start_time and end_time must be ISO-8601 times or epoch seconds' }
  const from = new Date(Math.floor(start.getTime() / HOUR) * HOUR)
  const to = new Date(Math.floor(Math.min(end.getTime(), now.getTime()) / HOUR) * HOUR)
  if (to.getTime() <= from.getTime()) return { ok: false, message: 'the window holds no whole hour up to now' }
  if ((to.getTime() - from.getTime()) / HOUR > MAX_EXPORT_HOURS) return { ok: false, message: `at most ${MAX_EXPORT_HOURS} hours per export` }
  return { ok: true, from, to }
}

/** The provider's bill over [from, to) as FOCUS rows, one per instance and hour it ran (as cloud exports are). */
export async function providerBillAsFocus(cloud: Pick<CloudProvider, 'getBill' | 'listResources'>, customerId: string, from: Date, to: Date): Promise<string> {
  const where = new Map((await cloud.listResources(customerId)).instances.map((i) => [i.id, { cloud: i.cloud, region: i.region }]))
  const lines: ExportLine[] = []
  for (let t = from.getTime(); t < to.getTime(); t += HOUR) {
    for (const line of await cloud.getBill(customerId, new Date(t), new Date(t + HOUR))) {
      if (line.hours <= 0) continue
      const w = where.get(line.instanceId)
      lines.push({ line, cloud: w?.cloud ?? null, region: w?.region ?? null })
    }
  }
  return toFocusCsv(customerId, lines)
}
