import { useState, type FormEvent } from 'react'
import { addTelemetrySource, listTelemetrySources, removeTelemetrySource } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import type { TelemetrySource, TelemetrySourceBody } from '../api/types.ts'
import { ActionError, Async, Badge, Card, EmptyState, StatusBadge, scrollRegion } from '../components/ui.tsx'
import { when } from '../lib/format.ts'

type Discovered = TelemetrySource['health']['fleet'][number]
type Advisory = TelemetrySource['health']['advisory'][number]

/** Settings card: the customer's Prometheus servers, their health, and the fleet each one found. */
export function TelemetrySources({ customerId }: { customerId: string }) {
  const sources = useQuery(['telemetry-sources', customerId], () => listTelemetrySources(customerId))
  const remove = useAction(async (sourceId: string) => { await removeTelemetrySource(customerId, sourceId); invalidate(['telemetry-sources', 'audit']) })
  return (
    <Card title="Telemetry sources" subtitle="A Prometheus that already scrapes vLLM, DCGM and kube-state-metrics: OptiInfra reads it with PromQL instead of scraping the fleet" testid="telemetry-sources">
      <Async q={sources} lines={3} isEmpty={(s) => s.length === 0} empty={<EmptyState title="No Prometheus connected">The agent runtime or the embedded scraper feeds telemetry until you connect one.</EmptyState>}>
        {(list) => <div className="stack">{list.map((s) => <Source key={s.id} source={s} onRemove={() => void remove.run(s.id)} removing={remove.pending} />)}</div>}
      </Async>
      <ActionError error={remove.error} />
      <details className="details">
        <summary>Connect a Prometheus</summary>
        <SourceForm customerId={customerId} />
      </details>
    </Card>
  )
}

function Source({ source: s, onRemove, removing }: { source: TelemetrySource; onRemove: () => void; removing: boolean }) {
  const h = s.health
  return (
    <div data-testid="telemetry-source">
      <div className="row-gap">
        <span className="mono">{s.url}</span>
        <StatusBadge status={h.status} testid="source-status" />
        <button type="button" className="btn btn-sm btn-danger" onClick={onRemove} disabled={removing}>Disconnect</button>
      </div>
      <p className="muted small" data-testid="source-health">
        {h.last_success_at ? `last read ${when(h.last_success_at)}` : 'never read'} · {h.series_found} series · {h.failures} of {h.polls} polls failed
        {s.header_names.length > 0 && ` · sends ${s.header_names.join(', ')}`}
      </p>
      {h.last_error && <p className="action-error" data-testid="source-error">{h.last_error}</p>}
      {h.fleet.length > 0 && <FleetTable fleet={h.fleet} advisory={h.advisory} />}
      {h.inventory && <Drift d={h.inventory} />}
      {h.status === 'ok' && !h.cluster_state && (
        <p className="muted small" data-testid="no-cluster-state">No kube-state-metrics series: nodes, instance types and capacity types are unknown. Scrape kube-state-metrics with node and pod labels allow-listed (see Connect a real fleet).</p>
      )}
    </div>
  )
}

/** Where the cluster (as last read) and the provider's running instances disagree. */
function Drift({ d }: { d: NonNullable<TelemetrySource['health']['inventory']> }) {
  if (d.not_in_cluster.length === 0 && d.not_in_inventory.length === 0) return null
  return (
    <p className="small" data-testid="inventory-drift">
      <Badge tone="warning">Inventory drift</Badge>
      {d.not_in_cluster.length > 0 && <> Running for a deployment but no node of the cluster: <span className="mono">{d.not_in_cluster.join(', ')}</span>.</>}
      {d.not_in_inventory.length > 0 && <> Nodes the cloud inventory does not list: <span className="mono">{d.not_in_inventory.join(', ')}</span>.</>}
    </p>
  )
}

/** "2 × g6e.xlarge spot": nodes grouped by instance type and capacity type. */
function nodeSummary(d: Discovered): string {
  const counts = new Map<string, number>()
  for (const n of d.nodes) {
    const key = `${n.instance_type ?? 'unknown type'}${n.capacity_type ? ` ${n.capacity_type}` : ''}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`).join(' · ') || '—'
}

/** The engine the agents assume for a deployment they only read, and which of it the fleet itself reported. */
function JudgedEngine({ e }: { e: NonNullable<Advisory['engine']> }) {
  const parts = [
    `tensor parallel ${e.tensor_parallel_size}`, e.quantization === 'none' ? '16-bit weights' : `${e.quantization} weights`,
    e.kv_cache_dtype === 'fp8' ? 'FP8 KV cache' : '16-bit KV cache', e.enable_prefix_caching ? 'prefix caching' : 'no prefix caching',
  ]
  const source = e.reported.length ? `reported by the fleet: ${e.reported.join(', ').replaceAll('_', ' ')}; the rest vLLM defaults` : 'nothing reported: vLLM defaults'
  return <div className="muted small" data-testid="judged-engine">judged on {parts.join(' · ')} ({source})</div>
}

/** How the agents treat a deployment: run by the cloud provider (changes roll out), or seen only here (advice, or why it is not judged). */
function AgentsCell({ a }: { a: Advisory | undefined }) {
  if (!a) return <span className="muted">changes roll out</span>
  if (a.judged) {
    return (
      <span data-testid="advisory">
        <Badge tone="info">advisory</Badge> <span className="muted">seen only here: recommendations are for you to apply</span>
        {a.engine && <JudgedEngine e={a.engine} />}
      </span>
    )
  }
  return <span data-testid="not-judged"><Badge tone="warning">not judged</Badge> {a.reason}</span>
}

function FleetTable({ fleet, advisory }: { fleet: Discovered[]; advisory: Advisory[] }) {
  const byId = new Map(advisory.map((a) => [a.deployment_id, a]))
  return (
    <div className="table-wrap" {...scrollRegion('Discovered fleet')}>
      <table className="table compact" data-testid="discovered-fleet">
        <thead><tr><th scope="col">Deployment</th><th scope="col">Model</th><th scope="col" className="num">Pods</th><th scope="col">Nodes</th><th scope="col">Agents</th></tr></thead>
        <tbody>
          {fleet.map((d) => (
            <tr key={d.deployment_id} data-testid={`discovered-${d.deployment_id}`}>
              <td className="mono">{d.deployment_id}</td>
              <td className="small">{d.model_name ?? '—'}</td>
              <td className="num">{d.pods.stable}{d.pods.canary > 0 && ` + ${d.pods.canary} canary`}</td>
              <td className="small"><span data-testid="node-summary">{nodeSummary(d)}</span>
                {d.nodes.some((n) => n.instance_id) && <div className="muted mono">{d.nodes.map((n) => n.instance_id ?? n.node).join(', ')}</div>}</td>
              <td className="small"><AgentsCell a={byId.get(d.deployment_id)} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function SourceForm({ customerId }: { customerId: string }) {
  const [f, setF] = useState({ url: '', headerName: '', headerValue: '', deploymentLabel: '', groupLabel: '' })
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const add = useAction(async () => {
    const body: TelemetrySourceBody = {
      kind: 'prometheus', url: f.url.trim(),
      ...(f.headerName.trim() ? { headers: { [f.headerName.trim()]: f.headerValue } } : {}),
      ...(f.deploymentLabel.trim() ? { deployment_label: f.deploymentLabel.trim() } : {}),
      ...(f.groupLabel.trim() ? { group_label: f.groupLabel.trim() } : {}),
    }
    await addTelemetrySource(customerId, body)
    setF({ url: '', headerName: '', headerValue: '', deploymentLabel: '', groupLabel: '' })
    invalidate(['telemetry-sources', 'audit'])
  })
  const submit = (e: FormEvent) => { e.preventDefault(); void add.run() }
  return (
    <form className="form form-top" onSubmit={submit} data-testid="telemetry-source-form">
      <label className="field"><span>Prometheus URL</span><input required value={f.url} onChange={set('url')} placeholder="https://prometheus.example.com" data-testid="source-url" /></label>
      <div className="grid-2">
        <label className="field"><span>Header (optional)</span><input value={f.headerName} onChange={set('headerName')} placeholder="Authorization" /></label>
        <label className="field"><span>Header value</span><input type="password" autoComplete="off" value={f.headerValue} onChange={set('headerValue')} /></label>
        <label className="field"><span>Deployment label</span><input value={f.deploymentLabel} onChange={set('deploymentLabel')} placeholder="deployment_id" /></label>
        <label className="field"><span>Group label</span><input value={f.groupLabel} onChange={set('groupLabel')} placeholder="group" /></label>
      </div>
      <p className="muted small">Header values are sent with every query and never shown again. OptiInfra polls once at once: the source&apos;s health shows whether it answered.</p>
      <div className="row-gap"><button type="submit" className="btn btn-primary" disabled={add.pending} data-testid="connect-source">{add.pending ? 'Connecting…' : 'Connect Prometheus'}</button></div>
      <ActionError error={add.error} />
    </form>
  )
}
