import { useSearchParams } from 'react-router-dom'
import { getInfrastructure } from '../api/endpoints.ts'
import { useQuery } from '../api/query.ts'
import type { Infrastructure, Instance, MetricType, VllmDeployment } from '../api/types.ts'
import { CostBreakdown, pricingTone } from '../components/cost-breakdown.tsx'
import { IdleInstancesCard } from '../components/idle-instances.tsx'
import { SpendHistoryCard } from '../components/spend-history.tsx'
import { NoCustomer } from '../components/layout.tsx'
import { LazyTimeSeriesChart as TimeSeriesChart } from '../components/lazy-chart.tsx'
import { Async, Badge, Card, EmptyState, ErrorState, PageHeader, scrollRegion } from '../components/ui.tsx'
import { label, usd } from '../lib/format.ts'
import { METRICS, RANGES, rangeOf, specFor } from '../lib/metrics.ts'
import { useCustomerId } from '../lib/scope.ts'
import { latest, useMetric } from '../lib/use-metric.ts'

/**
 * What one dashboard shows. `fleetOnly` charts are the whole fleet's (the bill's run-rate is not
 * split by deployment); their per-deployment split comes from the spend API (the same bill lines, partitioned).
 */
interface DashboardConfig { id: string; title: string; subtitle: string; charts: MetricType[]; breakdown?: MetricType[]; instances?: boolean; fleetOnly?: boolean; idle?: boolean }

const CONFIGS: Record<string, DashboardConfig> = {
  cost: { id: 'cost', title: 'Cost', subtitle: 'Spend run-rate and hourly cost, from the bill at the prices actually paid', charts: ['monthly_cost', 'hourly_cost'], instances: true, fleetOnly: true, idle: true },
  performance: { id: 'performance', title: 'Performance', subtitle: 'Latency (end to end, first token, between tokens), throughput, errors and queueing of your vLLM deployments', charts: ['p95_latency_ms', 'p99_latency_ms', 'ttft_p95_ms', 'itl_p95_ms', 'throughput_rps', 'generation_tokens_per_sec', 'error_rate', 'requests_running', 'queue_depth', 'preemptions_per_sec'], breakdown: ['p95_latency_ms', 'ttft_p95_ms', 'itl_p95_ms', 'throughput_rps', 'error_rate'] },
  resources: { id: 'resources', title: 'Resources', subtitle: 'GPU and KV-cache utilization across the fleet', charts: ['gpu_utilization', 'kv_cache_usage'], instances: true },
  quality: { id: 'quality', title: 'Quality', subtitle: 'Answer quality on the evaluation set, per deployment', charts: ['quality_score'] },
}

/** The Cost, Performance, Resources and Quality dashboards: one layout, different metrics. */
export default function MetricsDashboard({ kind }: { kind: keyof typeof CONFIGS }) {
  const config = CONFIGS[kind]!
  const customerId = useCustomerId()
  const [params, setParams] = useSearchParams()
  const range = rangeOf(params.get('range')).id
  const deployment = params.get('deployment') ?? ''
  const infra = useQuery(['infrastructure', customerId], () => getInfrastructure(customerId!), { enabled: !!customerId })
  if (!customerId) return <NoCustomer />
  const update = (k: string, v: string) => {
    const next = new URLSearchParams(params)
    if (v) next.set(k, v); else next.delete(k)
    setParams(next, { replace: true })
  }
  if (infra.error && !infra.data && (infra.error as { status?: number }).status === 403) return <><PageHeader title={config.title} /><ErrorState error={infra.error} /></>
  const deployments = infra.data?.vllm_deployments ?? []
  return (
    <div data-testid={`dashboard-${config.id}`}>
      <PageHeader title={config.title} subtitle={config.subtitle} actions={
        <div className="controls">
          <label className="inline-field">
            <span className="muted small">{config.fleetOnly ? 'Instances of' : 'Deployment'}</span>
            <select value={deployment} onChange={(e) => update('deployment', e.target.value)} data-testid="deployment-select">
              <option value="">All deployments</option>
              {deployments.map((d) => <option key={d.deployment_id} value={d.deployment_id}>{d.deployment_id}</option>)}
            </select>
          </label>
          <div className="segmented" role="group" aria-label="Time range">
            {RANGES.map((r) => (
              <button key={r.id} type="button" aria-pressed={r.id === range} className={r.id === range ? 'active' : ''} onClick={() => update('range', r.id)} data-testid={`range-${r.id}`}>{r.label}</button>
            ))}
          </div>
        </div>
      } />
      <DiscoveryBanner infra={infra.data} />
      <div className={config.charts.length > 1 ? 'grid-2' : ''}>
        {config.charts.map((type) => <MetricCard key={type} customerId={customerId} type={type} range={range} deployment={config.fleetOnly ? '' : deployment} fleetOnly={config.fleetOnly} />)}
      </div>
      <Card title="Per-deployment breakdown" subtitle={config.fleetOnly ? 'Each deployment\'s share of the bill\'s run-rate, idle capacity and the cost of a million tokens' : `Latest value in the selected ${rangeOf(range).label} window`} testid="breakdown">
        <Async q={infra} empty={<NoFleet />} isEmpty={(i) => i.vllm_deployments.length === 0}>
          {(i) => config.fleetOnly
            ? <CostBreakdown customerId={customerId} infra={i} />
            : <Breakdown customerId={customerId} deployments={i.vllm_deployments} metrics={config.breakdown ?? config.charts} range={range} />}
        </Async>
      </Card>
      {config.fleetOnly && <SpendHistoryCard customerId={customerId} />}
      {config.idle && <IdleInstancesCard customerId={customerId} />}
      {config.instances && (
        <Card title="Instances" subtitle="Each instance's own price, as the cloud bills it" testid="instances">
          <Async q={infra} empty={<NoFleet />} isEmpty={(i) => i.instances.length === 0}>
            {(i) => <InstancesTable instances={deployment ? i.instances.filter((x) => x.deployment_id === deployment) : i.instances} />}
          </Async>
        </Card>
      )}
    </div>
  )
}

function DiscoveryBanner({ infra }: { infra?: Infrastructure }) {
  if (!infra || infra.status === 'discovered') return null
  return (
    <div className="banner banner-accent" data-testid="discovery-banner">
      <div><strong>Fleet discovery: {label(infra.status)}</strong><span className="muted"> · charts fill in once the agent runtime reports telemetry.</span></div>
    </div>
  )
}

function NoFleet() {
  return <EmptyState title="No deployments discovered yet">Connect a cloud account and install the agent runtime in Settings; discovered deployments appear here.</EmptyState>
}

function MetricCard({ customerId, type, range, deployment, fleetOnly }: { customerId: string; type: MetricType; range: string; deployment: string; fleetOnly?: boolean }) {
  const q = useMetric(customerId, type, range, deployment || undefined)
  const spec = METRICS[type]
  const last = latest(q.data)
  const shown = specFor(type, q.data?.points.map((p) => p.value) ?? [])
  return (
    <Card title={spec.label} subtitle={fleetOnly ? `${spec.description} · whole fleet` : spec.description} testid={`metric-${type}`}
      actions={last && <span className="metric-now" data-testid={`metric-${type}-latest`}>{shown.format(last.value)}</span>}>
      <Async q={q} lines={5}>{(s) => <TimeSeriesChart type={type} points={s.points} start={s.start} end={s.end} testid={`chart-${type}`} />}</Async>
    </Card>
  )
}

function Breakdown({ customerId, deployments, metrics, range }: { customerId: string; deployments: VllmDeployment[]; metrics: MetricType[]; range: string }) {
  return (
    <div className="table-wrap" {...scrollRegion('Breakdown')}>
      <table className="table" data-testid="breakdown-table">
        <thead>
          <tr>
            <th scope="col">Deployment</th><th scope="col">Model</th><th scope="col" className="num">Instances</th>
            {metrics.map((m) => <th key={m} scope="col" className="num">{METRICS[m].label}</th>)}
          </tr>
        </thead>
        <tbody>
          {deployments.map((d) => (
            <tr key={d.deployment_id} data-testid="breakdown-row">
              <th scope="row" className="mono">{d.deployment_id}{d.canary_weight ? <> <Badge tone="accent">canary {d.canary_weight}%</Badge></> : null}</th>
              <td>{d.model ?? '—'}</td>
              <td className="num">{d.instance_ids?.length ?? '—'}</td>
              {metrics.map((m) => <LatestCell key={m} customerId={customerId} type={m} range={range} deploymentId={d.deployment_id} />)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function LatestCell({ customerId, type, range, deploymentId }: { customerId: string; type: MetricType; range: string; deploymentId: string }) {
  const q = useMetric(customerId, type, range, deploymentId, 10_000)
  const last = latest(q.data)
  const spec = specFor(type, q.data?.points.map((p) => p.value) ?? [])
  return <td className="num">{q.error ? <span className="muted" title={(q.error as Error).message}>error</span> : q.data ? (last ? spec.format(last.value) : <span className="muted">no data</span>) : <span className="skeleton skeleton-inline" />}</td>
}

/** The fleet's instances with their own billed prices. */
export function InstancesTable({ instances }: { instances: Instance[] }) {
  if (instances.length === 0) return <EmptyState title="No instances">This deployment has no instances right now.</EmptyState>
  return (
    <div className="table-wrap" {...scrollRegion('Instances')}>
      <table className="table" data-testid="instances-table">
        <thead>
          <tr>
            <th scope="col">Instance</th><th scope="col">Type</th><th scope="col">GPUs</th><th scope="col">Pricing</th>
            <th scope="col">Region</th><th scope="col">Deployment</th><th scope="col" className="num">Hourly</th><th scope="col" className="num">Monthly</th>
          </tr>
        </thead>
        <tbody>
          {instances.map((i) => (
            <tr key={i.instance_id}>
              <th scope="row" className="mono">{i.instance_id}</th>
              <td>{i.instance_type}</td>
              <td>{i.gpu_count ?? '—'} × {i.gpu_type ?? '—'}</td>
              <td><Badge tone={pricingTone(i.pricing)}>{label(i.pricing ?? 'unknown')}</Badge>{i.group === 'canary' ? <> <Badge tone="accent">canary</Badge></> : null}</td>
              <td>{i.region ?? '—'}</td>
              <td className="mono">{i.deployment_id ?? '—'}</td>
              <td className="num">{usd(i.hourly_cost)}</td>
              <td className="num">{usd(i.monthly_cost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
