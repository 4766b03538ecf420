import { useLayoutEffect } from 'react'
import { Link } from 'react-router-dom'
import { getDashboard, listAudit, prefetchedDashboard } from '../api/endpoints.ts'
import { useQuery } from '../api/query.ts'
import type { AuditEntry, Dashboard } from '../api/types.ts'
import { NoCustomer } from '../components/layout.tsx'
import { LazyTimeSeriesChart as TimeSeriesChart } from '../components/lazy-chart.tsx'
import { Async, Badge, Card, EmptyState, ErrorState, Loading, PageHeader, RiskBadge, Stat, StatusBadge, scrollRegion } from '../components/ui.tsx'
import { useWallNow } from '../lib/fleet-clock.ts'
import { actor, ago, label, ms, pct, usd, when } from '../lib/format.ts'
import { useCustomerId, useScopedHref } from '../lib/scope.ts'
import { useMetric } from '../lib/use-metric.ts'
import { IncidentsBanner, ReconcilerCard, SloCard } from './fleet-health.tsx'

const ACTIVE = ['pending', 'running', 'paused']

/** Overview: spend, savings, agents, SLO and quality at a glance, and what to do next. */
export default function OverviewPage() {
  const customerId = useCustomerId()
  // telemetry lands every few seconds: the overview refetches at most every 2 s
  const q = useQuery(['dashboard', customerId], () => getDashboard(customerId!), { enabled: !!customerId, minIntervalMs: 2000, initialData: () => prefetchedDashboard(customerId!) })
  if (!customerId) return <NoCustomer />
  if (!q.data && q.error) return <><PageHeader title="Overview" /><ErrorState error={q.error} retry={q.refetch} /></>
  if (!q.data) return <><PageHeader title="Overview" /><Loading lines={8} /></>
  return <OverviewBody d={q.data} customerId={customerId} />
}

type DashRec = Dashboard['recommendations'][number]
type DashOpt = Dashboard['optimizations'][number]

/** Performance mark set when the overview's figures are first in the DOM (first-load budget: 1 s). */
export const FIGURES_MARK = 'optiinfra:overview-figures'

function OverviewBody({ d, customerId }: { d: Dashboard; customerId: string }) {
  const href = useScopedHref()
  useLayoutEffect(() => {
    if (performance.getEntriesByName(FIGURES_MARK).length === 0) performance.mark(FIGURES_MARK)
  }, [])
  const open = d.recommendations.filter((r) => r.status === 'pending')
  const active = d.optimizations.filter((o) => ACTIVE.includes(o.status))
  // the API lists recommendations by estimated savings: the best next step is its first validated one
  const best = open.find((r) => r.validated)
  return (
    <div data-testid="overview">
      <PageHeader title="Overview" subtitle={`As of ${when(d.at)}`} />
      <IncidentsBanner incidents={d.incidents ?? []} />
      <div className="stats">
        <Stat testid="stat-current-spend" label="Current monthly spend" value={usd(d.current_spend)} hint={spendHint(d)} />
        <Stat testid="stat-potential-savings" label="Potential savings" value={usd(d.potential_savings)} hint={`per month · ${open.length} open recommendation${open.length === 1 ? '' : 's'}`} tone="accent" />
        <Stat testid="stat-realized-savings" label="Realized savings" value={usd(d.realized_savings)} hint={realizedHint(d.realized_settled)} tone="success" />
        <Stat testid="stat-active-rollouts" label="Rollouts in progress" value={String(active.length)} hint={active.length ? 'canary in progress' : 'none running'} />
      </div>
      {active.map((o) => <ActiveRollout key={o.id} o={o} />)}
      {best ? <BestRecommendation r={best} /> : (
        <Card testid="best-recommendation-empty">
          <EmptyState title="No open recommendations" action={<Link className="btn" to={href('/app/settings')}>Check fleet connection</Link>}>
            The agents analyse your fleet continuously. New recommendations appear here as soon as the other agents have validated them.
          </EmptyState>
        </Card>
      )}
      <div className="grid-2">
        <SpendCard customerId={customerId} />
        <AgentsCard agents={d.agents} />
      </div>
      <div className="grid-2">
        <HealthCard d={d} />
        <ActivityCard customerId={customerId} />
      </div>
      <div className="grid-2">
        <SloCard customerId={customerId} />
        <ReconcilerCard customerId={customerId} />
      </div>
    </div>
  )
}

function ActiveRollout({ o }: { o: DashOpt }) {
  const href = useScopedHref()
  return (
    <div className={`banner ${o.status === 'paused' ? 'banner-warning' : 'banner-accent'}`} data-testid="active-rollout">
      <div>
        <strong>{o.status === 'paused' ? 'Rollout paused — your decision is needed' : 'Rollout in progress'}</strong>
        <span className="muted"> · {o.title || label(o.type)}{o.current_step ? ` · ${label(o.current_step)}` : ''}</span>
      </div>
      <Link className="btn btn-sm" to={href(`/app/optimizations/${o.id}`)}>Watch rollout</Link>
    </div>
  )
}

function BestRecommendation({ r }: { r: DashRec }) {
  const href = useScopedHref()
  return (
    <section className="card card-highlight" data-testid="best-recommendation">
      <div className="highlight">
        <div>
          <div className="eyebrow">Best next step</div>
          <h2 className="highlight-title">{r.title || label(r.type)}</h2>
          <div className="row-gap">
            <Badge tone="neutral">{label(r.type)}</Badge><RiskBadge level={r.risk_level} />
            <span className="muted small">proposed by the {label(r.agent_type).toLowerCase()} agent{r.deployment_id ? ` · ${r.deployment_id}` : ''}</span>
          </div>
        </div>
        <div className="highlight-figure">
          <div className="stat-value">{usd(r.estimated_savings)}</div>
          <div className="muted small">estimated savings per month</div>
          <Link className="btn btn-primary" to={href(`/app/recommendations/${r.id}`)} data-testid="best-recommendation-open">Review recommendation</Link>
        </div>
      </div>
    </section>
  )
}

function SpendCard({ customerId }: { customerId: string }) {
  const q = useMetric(customerId, 'monthly_cost', '24h')
  const href = useScopedHref()
  return (
    <Card title="Spend run-rate" subtitle="Last 24 hours" actions={<Link className="btn btn-ghost btn-sm" to={href('/app/cost')}>Cost dashboard</Link>}>
      <Async q={q} lines={5}>{(s) => <TimeSeriesChart type="monthly_cost" points={s.points} start={s.start} end={s.end} height={200} testid="spend-chart" />}</Async>
    </Card>
  )
}

function HealthCard({ d }: { d: Dashboard }) {
  const q = new Map(d.quality.deployments.map((x) => [x.deployment_id, x]))
  const ids = [...new Set([...d.slo.deployments.map((x) => x.deployment_id), ...q.keys()])]
  return (
    <Card title="SLO and quality" subtitle={`Last ${d.slo.window_minutes} min of telemetry`} testid="slo-card"
      actions={<span className="row-gap">
        {d.slo.compliant !== null && <Badge tone={d.slo.compliant ? 'success' : 'danger'} testid="slo-compliant">{d.slo.compliant ? 'Within SLO' : 'SLO breached'}</Badge>}
        {d.quality.score !== null && <Badge tone="info" testid="quality-score">quality {d.quality.score.toFixed(3)}</Badge>}
      </span>}>
      {ids.length === 0 ? <EmptyState title="No SLO data yet">Latency and quality appear once the agent runtime reports telemetry and baselines are measured.</EmptyState> : (
        <div className="table-wrap" {...scrollRegion('SLO compliance')}>
          <table className="table compact" data-testid="slo-table">
            <thead><tr><th scope="col">Deployment</th><th scope="col" className="num">p95</th><th scope="col" className="num">p99</th><th scope="col" className="num">Errors</th><th scope="col" className="num">Quality</th><th scope="col">SLO</th></tr></thead>
            <tbody>
              {ids.map((id) => {
                const s = d.slo.deployments.find((x) => x.deployment_id === id)
                const quality = q.get(id)
                return (
                  <tr key={id}>
                    <th scope="row" className="mono small wrap">{id}{s?.seen_via === 'prometheus' && <span className="muted small nowrap" data-testid="slo-seen-via" title="Only your connected Prometheus shows this deployment: OptiInfra measures and advises, it does not change it"> · via Prometheus</span>}</th>
                    <td className="num" title={s ? `limit ${ms(s.limits.p95_ms)}` : undefined}>{ms(s?.p95_latency_ms)}</td>
                    <td className="num" title={s ? `limit ${ms(s.limits.p99_ms)}` : undefined}>{ms(s?.p99_latency_ms)}</td>
                    <td className="num" title={s ? `limit ${pct(s.limits.error_rate, 2)}` : undefined}>{pct(s?.error_rate, 2)}</td>
                    <td className="num" title={quality ? `${quality.samples} prompts · ${when(quality.at)}` : undefined}>{quality ? quality.score.toFixed(3) : '—'}</td>
                    <td>{s?.compliant === null || !s ? <span className="muted small nowrap">no data</span> : <Badge tone={s.compliant ? 'success' : 'danger'}>{s.compliant ? 'met' : 'missed'}</Badge>}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

function AgentsCard({ agents }: { agents: Dashboard['agents'] }) {
  const now = useWallNow()
  return (
    <Card title="Agents" subtitle="Status and last heartbeat" testid="agents-card">
      {agents.length === 0 ? <EmptyState title="No agents reporting">Agents register with the orchestrator when the platform starts.</EmptyState> : (
        <ul className="list" data-testid="agents-list">
          {agents.map((a, i) => (
            <li key={`${a.agent_type}-${i}`} className="list-row" data-testid="agent-row" data-agent={a.agent_type}>
              <span className="agent-name">{label(a.agent_type)} agent{a.instances > 1 ? <span className="muted small"> · {a.instances} instances</span> : null}</span>
              <StatusBadge status={a.status} />
              <span className="muted small" title={a.last_heartbeat ?? undefined}>{ago(a.last_heartbeat, now)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  )
}

function ActivityCard({ customerId }: { customerId: string }) {
  const q = useQuery(['audit', customerId, ''], () => listAudit(customerId), { minIntervalMs: 3000 })
  const href = useScopedHref()
  return (
    <Card title="Recent activity" actions={<Link className="btn btn-ghost btn-sm" to={href('/app/history')}>Full history</Link>} testid="activity-card">
      <Async q={q} empty={<EmptyState title="Nothing yet">Approvals, rollouts and changes to your account will be listed here.</EmptyState>}>
        {(entries) => <ActivityList entries={newestFirst(entries).slice(0, 8)} />}
      </Async>
    </Card>
  )
}

/** The audit API lists oldest first; feeds show the newest first. */
export function newestFirst(entries: AuditEntry[]): AuditEntry[] { return [...entries].reverse() }

/** Audit entries as a compact activity feed. */
export function ActivityList({ entries }: { entries: AuditEntry[] }) {
  return (
    <ul className="list" data-testid="activity-list">
      {entries.map((e) => (
        <li key={e.id} className="list-row">
          <span>{label(e.action)}</span>
          <span className="muted small nowrap" title={e.actor}>{actor(e.actor)}</span>
          <span className="muted small nowrap">{when(e.at)}</span>
        </li>
      ))}
    </ul>
  )
}

/** Where the realized figure comes from: the imported bill for settled changes, the provider's run-rate for the rest. */
function realizedHint(r: { settled: number; completed: number } | undefined): string {
  if (!r || r.completed === 0) return 'per month, measured from the bill'
  return r.settled === r.completed ? 'per month, all settled from the imported bill' : `per month · ${r.settled} of ${r.completed} changes settled from the imported bill, the rest from the run-rate`
}

/** Where the current spend comes from, and the imported bill's last whole day beside the run-rate. */
function spendHint(d: Dashboard): string {
  const day = d.billed_day
  if (d.spend_source === 'imported_bill' && day) return `From the imported bill: ${day.day} cost ${usd(day.effective_cost)}`
  return day ? `Run-rate from the bill · imported bill ${day.day}: ${usd(day.effective_cost)}, ${usd(day.monthly_rate)}/month` : 'Run-rate from the bill'
}
