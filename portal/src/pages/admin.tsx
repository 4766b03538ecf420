import { useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router-dom'
import { ApiError } from '../api/client.ts'
import { clearFault, getInfrastructure, injectFault, listAgents, listCustomers, listFaults } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import { useSession } from '../api/session.ts'
import { FAULT_KINDS, FAULT_TARGETS, type AgentStatus, type Customer, type FaultBody } from '../api/types.ts'
import { ActionError, Async, Badge, Card, EmptyState, ErrorState, PageHeader, StatusBadge, scrollRegion } from '../components/ui.tsx'
import { ago, label, number, shortId, when } from '../lib/format.ts'
import { useWallNow } from '../lib/fleet-clock.ts'
import { setAdminCustomer } from '../lib/scope.ts'

/** Admin: every customer, the agents' health, and simulator fault injection. */
export default function AdminPage() {
  const session = useSession()
  if (session?.role !== 'admin') {
    return <><PageHeader title="Admin" /><ErrorState error={new ApiError(403, { code: 'OPT_AUTH_FORBIDDEN', message: 'Administrators only.' })} /></>
  }
  return (
    <div data-testid="admin-page">
      <PageHeader title="Admin" subtitle="All customers, agent health and simulator fault injection" />
      <Customers />
      <Agents />
      <Faults />
    </div>
  )
}

function Customers() {
  const q = useQuery(['customers'], listCustomers)
  const navigate = useNavigate()
  const open = (c: Customer) => { setAdminCustomer(c.id); navigate('/app/overview') }
  return (
    <Card title="Customers" testid="admin-customers">
      <Async q={q} empty={<EmptyState title="No customers yet" />}>
        {(list) => (
          <div className="table-wrap" {...scrollRegion('Customers')}>
            <table className="table table-hover" data-testid="customers-table">
              <thead><tr><th scope="col">Company</th><th scope="col">Plan</th><th scope="col">Cloud</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {list.map((c) => (
                  <tr key={c.id} data-testid="customer-row">
                    <th scope="row">{c.company_name}<div className="muted small mono">{shortId(c.id)}</div></th>
                    <td><Badge>{label(c.plan)}</Badge></td>
                    <td>{c.cloud_provider?.toUpperCase() ?? '—'}</td>
                    <td className="small">{when(c.created_at)}</td>
                    <td className="num"><button type="button" className="btn btn-sm" onClick={() => open(c)}>Open overview</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </Card>
  )
}

function Agents() {
  const q = useQuery(['agents'], listAgents, { pollMs: 10_000 })
  const now = useWallNow()
  return (
    <Card title="Agents" subtitle="Registered agent processes; those that miss heartbeats turn unhealthy, then offline, and get no work" testid="admin-agents">
      <Async q={q} empty={<EmptyState title="No agents registered" />}>
        {(list: AgentStatus[]) => (
          <div className="table-wrap" {...scrollRegion('Agents')}>
            <table className="table" data-testid="agents-table">
              <thead><tr><th scope="col">Agent</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Host</th><th scope="col" className="num">Load</th><th scope="col" className="num">Tasks</th><th scope="col">Last heartbeat</th></tr></thead>
              <tbody>
                {list.map((a, i) => (
                  <tr key={a.agent_id ?? i} data-testid="agent-health-row" data-status={a.status}>
                    <th scope="row" className="mono small">{shortId(a.agent_id)}</th>
                    <td>{label(a.agent_type)}</td>
                    <td><StatusBadge status={a.status} /></td>
                    <td className="small">{a.hostname ?? '—'}</td>
                    <td className="num">{number(a.load)}</td>
                    <td className="num">{number(a.current_tasks)}</td>
                    <td className="small" title={a.last_heartbeat ?? undefined}>{ago(a.last_heartbeat, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </Card>
  )
}

function Faults() {
  const customers = useQuery(['customers'], listCustomers)
  const [customerId, setCustomerId] = useState('')
  const [deploymentId, setDeploymentId] = useState('')
  const [kind, setKind] = useState<string>(FAULT_KINDS[0])
  const [target, setTarget] = useState<string>(FAULT_TARGETS[0])
  const [magnitude, setMagnitude] = useState('')
  const infra = useQuery(['infrastructure', customerId], () => getInfrastructure(customerId), { enabled: !!customerId })
  const faults = useQuery(['faults', customerId], () => listFaults(customerId), { enabled: !!customerId })
  const inject = useAction(async () => {
    await injectFault({ customer_id: customerId, target: target as FaultBody['target'], kind: kind as FaultBody['kind'], ...(deploymentId ? { deployment_id: deploymentId } : {}), ...(magnitude ? { magnitude: Number(magnitude) } : {}) })
    invalidate(['faults'])
  })
  const clear = useAction(async (id: string) => { await clearFault(id); invalidate(['faults']) })
  const submit = (e: FormEvent) => { e.preventDefault(); void inject.run() }
  const unavailable = inject.error instanceof ApiError && (inject.error.status === 404 || inject.error.status === 409)
  return (
    <Card title="Simulator fault injection" subtitle="For tests and demos on the simulated fleet: the next rollout meets a real failure and must roll back" testid="admin-faults">
      <form className="form form-grid" onSubmit={submit} data-testid="fault-form">
        <label className="field"><span>Customer</span>
          <select value={customerId} onChange={(e) => { setCustomerId(e.target.value); setDeploymentId('') }} required data-testid="fault-customer">
            <option value="">Choose…</option>
            {(customers.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.company_name}</option>)}
          </select>
        </label>
        <label className="field"><span>Deployment</span>
          <select value={deploymentId} onChange={(e) => setDeploymentId(e.target.value)} disabled={!customerId} data-testid="fault-deployment">
            <option value="">All deployments</option>
            {(infra.data?.vllm_deployments ?? []).map((d) => <option key={d.deployment_id} value={d.deployment_id}>{d.deployment_id}</option>)}
          </select>
        </label>
        <label className="field"><span>Fault</span>
          <select value={kind} onChange={(e) => setKind(e.target.value)} data-testid="fault-kind">{FAULT_KINDS.map((k) => <option key={k} value={k}>{label(k)}</option>)}</select>
        </label>
        <label className="field"><span>Target</span>
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="fault-target">{FAULT_TARGETS.map((k) => <option key={k} value={k}>{label(k)}</option>)}</select>
        </label>
        <label className="field"><span>Magnitude <span className="muted small">(optional)</span></span>
          <input type="number" step="any" min={0} value={magnitude} onChange={(e) => setMagnitude(e.target.value)} data-testid="fault-magnitude" />
        </label>
        <div className="field field-end">
          <button type="submit" className="btn btn-danger" disabled={!customerId || inject.pending} data-testid="inject-fault">{inject.pending ? 'Injecting…' : 'Inject fault'}</button>
        </div>
      </form>
      {unavailable ? <p className="muted small">Fault injection is only available when the platform runs on the simulator.</p> : <ActionError error={inject.error ?? clear.error} />}
      {customerId && (
        <Async q={faults} lines={2} empty={<EmptyState title="No faults injected for this customer" />}>
          {(list) => (
            <div className="table-wrap" {...scrollRegion('Faults')}>
              <table className="table compact" data-testid="faults-table">
                <thead><tr><th scope="col">Fault</th><th scope="col">Target</th><th scope="col">Deployment</th><th scope="col" className="num">Magnitude</th><th scope="col">Active</th><th scope="col">Injected</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>{list.map((f) => (
                  <tr key={f.id}><td>{label(f.kind)}</td><td>{label(f.target)}</td><td className="mono small">{f.deployment_id ?? 'all'}</td><td className="num">{number(f.magnitude)}</td>
                    <td>{f.active === undefined ? '—' : <Badge tone={f.active ? 'danger' : 'neutral'}>{f.active ? 'active' : 'cleared'}</Badge>}</td><td className="small">{when(f.created_at)}</td>
                    <td className="num">{f.active && <button type="button" className="btn btn-sm" onClick={() => void clear.run(f.id)} disabled={clear.pending}>Clear</button>}</td></tr>
                ))}</tbody>
              </table>
            </div>
          )}
        </Async>
      )}
    </Card>
  )
}
