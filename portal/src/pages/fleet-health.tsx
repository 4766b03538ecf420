/**
 * Fleet health on the overview (issue 10): open incidents in red, what the reconciler did, and each
 * deployment's SLO, with proposals to confirm and an editor for declared ones, and its canary gates.
 */
import { useState, type FormEvent } from 'react'
import { listReconcilerActions, listSlos, putSlo } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import type { DeploymentSlo, Incident, SloBody } from '../api/types.ts'
import { Async, Badge, Card, EmptyState, ErrorState } from '../components/ui.tsx'
import { DeploymentGatesPanel } from '../components/gate-policies.tsx'
import { label, ms, pct, when } from '../lib/format.ts'

/** Open incidents as a red banner, one line each. */
export function IncidentsBanner({ incidents }: { incidents: Incident[] }) {
  if (incidents.length === 0) return null
  return (
    <div className="banner banner-danger banner-column" role="alert" data-testid="incidents">
      <strong>{incidents.length === 1 ? 'Incident' : `${incidents.length} incidents`}</strong>
      {incidents.map((i) => (
        <div key={i.id} className="banner-detail" data-testid="incident" data-deployment={i.deployment_id}>
          <Badge tone="danger">{i.kind === 'down' ? 'down' : 'SLO violated'}</Badge> <span className="mono small">{i.deployment_id}</span> · {i.reason} <span className="muted small">since {when(i.opened_at)}</span>
        </div>
      ))}
    </div>
  )
}

/** The reconciler's latest actions with their reasons. */
export function ReconcilerCard({ customerId }: { customerId: string }) {
  const q = useQuery(['reconciler', customerId], () => listReconcilerActions(customerId), { minIntervalMs: 3000 })
  return (
    <Card title="Reconciler" subtitle="Capacity kept without waiting for an analysis" testid="reconciler-card">
      <Async q={q} empty={<EmptyState title="Nothing to fix">The fleet runs the capacity it should.</EmptyState>}>
        {(actions) => (
          <ul className="list" data-testid="reconciler-actions">
            {actions.slice(0, 8).map((a) => (
              <li key={a.id} className="list-row">
                <span><Badge tone={a.status === 'failed' ? 'danger' : a.status === 'done' ? 'success' : 'info'}>{label(a.kind)}{a.status === 'failed' ? ' failed' : ''}</Badge> <span className="mono small">{a.deployment_id}</span> <span className="muted small">{a.reason}</span></span>
                <span className="muted small nowrap">{when(a.finished_at ?? a.created_at)}</span>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Card>
  )
}

const bodyOf = (s: DeploymentSlo): SloBody => ({
  ttft_p95_ms: s.ttft_p95_ms, itl_p95_ms: s.itl_p95_ms, e2e_p95_ms: s.e2e_p95_ms, e2e_p99_ms: s.e2e_p99_ms, max_error_rate: s.max_error_rate, min_quality: s.min_quality,
})

function SloEditor({ customerId, slo, done }: { customerId: string; slo: DeploymentSlo; done: () => void }) {
  const [f, setF] = useState({ p95: String(slo.e2e_p95_ms), p99: String(slo.e2e_p99_ms), err: String(slo.max_error_rate * 100), q: String(slo.min_quality) })
  const save = useAction(async () => {
    await putSlo(customerId, slo.deployment_id, { ...bodyOf(slo), e2e_p95_ms: Number(f.p95), e2e_p99_ms: Number(f.p99), max_error_rate: Number(f.err) / 100, min_quality: Number(f.q) })
    invalidate(['slos', 'dashboard', 'gates'])
    done()
  })
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const submit = (e: FormEvent) => { e.preventDefault(); void save.run() }
  return (
    <form onSubmit={submit} className="row-gap" data-testid="slo-editor">
      <label className="field"><span>p95 (ms)</span><input type="number" min={1} value={f.p95} onChange={set('p95')} data-testid="slo-p95" /></label>
      <label className="field"><span>p99 (ms)</span><input type="number" min={1} value={f.p99} onChange={set('p99')} /></label>
      <label className="field"><span>Max errors (%)</span><input type="number" min={0} max={100} step="any" value={f.err} onChange={set('err')} /></label>
      <label className="field"><span>Min quality</span><input type="number" min={0} max={1} step="any" value={f.q} onChange={set('q')} /></label>
      <button className="btn btn-primary btn-sm" disabled={save.pending} data-testid="slo-save">Save</button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={done}>Cancel</button>
      {save.error ? <ErrorState error={save.error} /> : null}
    </form>
  )
}

function SloRow({ customerId, slo }: { customerId: string; slo: DeploymentSlo }) {
  const [editing, setEditing] = useState(false)
  const [gates, setGates] = useState(false)
  const confirm = useAction(async () => { await putSlo(customerId, slo.deployment_id, bodyOf(slo)); invalidate(['slos', 'dashboard', 'gates']) })
  if (editing) return <tr><td colSpan={5}><SloEditor customerId={customerId} slo={slo} done={() => setEditing(false)} /></td></tr>
  return (
    <>
    <tr data-testid="slo-row" data-deployment={slo.deployment_id}>
      <th scope="row" className="mono small wrap">{slo.deployment_id}</th>
      <td className="num">{ms(slo.e2e_p95_ms)}</td>
      <td className="num">{ms(slo.e2e_p99_ms)}</td>
      <td className="num" title={`quality ≥ ${slo.min_quality}`}>{pct(slo.max_error_rate, 2)}</td>
      <td>
        <span className="row-gap">
          {slo.source === 'proposed'
            ? <><Badge tone="warning">proposed</Badge><button type="button" className="btn btn-sm" onClick={() => void confirm.run()} disabled={confirm.pending} data-testid="slo-confirm">Confirm</button></>
            : <Badge tone="success">declared</Badge>}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(true)} data-testid="slo-edit">Edit</button>
          <button type="button" className="btn btn-ghost btn-sm" aria-expanded={gates} onClick={() => setGates(!gates)} data-testid="slo-gates" aria-label={`Canary gates of ${slo.deployment_id}`}>Gates</button>
        </span>
      </td>
    </tr>
    {gates && <tr><td colSpan={5}><DeploymentGatesPanel customerId={customerId} deploymentId={slo.deployment_id} /></td></tr>}
    </>
  )
}

/** Each deployment's SLO; proposals ask to be confirmed. */
export function SloCard({ customerId }: { customerId: string }) {
  const q = useQuery(['slos', customerId], () => listSlos(customerId), { minIntervalMs: 3000 })
  return (
    <Card title="Service-level objectives" subtitle="What each deployment promises; canaries and incidents are judged on it" testid="slos-card">
      <Async q={q} empty={<EmptyState title="No deployments yet">Register or connect a fleet to set its SLOs.</EmptyState>}>
        {(slos) => (
          <div className="table-wrap">
            <table className="table compact" data-testid="slo-list">
              <thead><tr><th scope="col">Deployment</th><th scope="col" className="num">p95</th><th scope="col" className="num">p99</th><th scope="col" className="num">Errors ≤</th><th scope="col">Source</th></tr></thead>
              <tbody>{slos.map((s) => <SloRow key={s.deployment_id} customerId={customerId} slo={s} />)}</tbody>
            </table>
          </div>
        )}
      </Async>
    </Card>
  )
}
