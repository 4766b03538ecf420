/**
 * A canary's counters read from the customer's Prometheus instead of scraped: each group's raw
 * vLLM request counters and latency histogram series (every pod's, with their `_created`
 * companions) as one instant query, turned back into the families a scrape would give, so the
 * bake measures an interval exactly as it does between two scrapes.
 */
import type { MetricFamily, Sample } from '../telemetry/prometheus.ts'
import { BAKE_FAMILIES, type GroupSnapshots, type Snapshot } from '../rollouts/measure.ts'
import type { GroupRole } from '../cloud/provider.ts'
import { prometheusApi, type PrometheusApi } from './prometheus-api.ts'
import type { VectorSample } from './promql.ts'
import type { SourceRow } from './store.ts'

const SUFFIXES = '(bucket|count|sum|total|created)'
const NAMES = `(${BAKE_FAMILIES.join('|')})_${SUFFIXES}`

/** The instant query for one group's bake series (stable: every series not labelled canary). */
export function groupQuery(s: Pick<SourceRow, 'deployment_label' | 'group_label'>, deploymentId: string, group: GroupRole): string {
  const grp = group === 'canary' ? `${s.group_label}="canary"` : `${s.group_label}!="canary"`
  return `{__name__=~${JSON.stringify(NAMES)}, ${s.deployment_label}=${JSON.stringify(deploymentId)}, ${grp}}`
}

/** An instant vector as the families a scrape would have given (labels as Prometheus holds them). */
export function familiesOf(samples: VectorSample[]): MetricFamily[] {
  const byName = new Map<string, Sample[]>()
  for (const x of samples) {
    const { __name__: name, ...labels } = x.metric
    const value = Number(x.value[1])
    if (!name || Number.isNaN(value)) continue
    byName.set(name, [...(byName.get(name) ?? []), { name, labels, value }])
  }
  return [...byName].map(([name, list]) => ({ name, type: 'untyped', samples: list }))
}

/** Both groups' snapshots from the source; a group Prometheus holds no series of is an error (not yet scraped, or down). */
export async function prometheusGroups(src: SourceRow, deploymentId: string, now: () => Date, api: PrometheusApi = prometheusApi(src.url, src.headers)): Promise<GroupSnapshots> {
  const via = `Prometheus ${src.url}`
  try {
    const read = async (g: GroupRole): Promise<Snapshot | string> => {
      const families = familiesOf(await api.query(groupQuery(src, deploymentId, g)))
      return families.length ? { at: now().toISOString(), families, via } : `${via} holds no vLLM request series for the ${g} group of ${deploymentId}`
    }
    const [stable, canary] = await Promise.all([read('stable'), read('canary')])
    if (typeof stable === 'string') return { ok: false, error: stable }
    if (typeof canary === 'string') return { ok: false, error: canary }
    return { ok: true, stable, canary }
  } catch (err) {
    return { ok: false, error: `${via}: ${(err as Error).message}` }
  }
}
