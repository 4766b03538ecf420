/**
 * The Cost dashboard's idle instances (GET /customers/{id}/idle-instances): each instance billed
 * while serving no deployment, with what it costs a month from the bill, and a confirmed
 * Terminate that stops paying for it. There is no canary to run: nothing is served from it.
 */
import { useState } from 'react'
import { getIdleInstances, terminateIdleInstance } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import type { IdleInstances } from '../api/types.ts'
import { label, number, usd, when } from '../lib/format.ts'
import { pricingTone } from './cost-breakdown.tsx'
import { Dialog } from './dialog.tsx'
import { ActionError, Async, Badge, Card, EmptyState, scrollRegion } from './ui.tsx'

type Idle = IdleInstances['instances'][number]

export function IdleInstancesCard({ customerId }: { customerId: string }) {
  const q = useQuery(['idle', customerId], () => getIdleInstances(customerId))
  const [target, setTarget] = useState<Idle | null>(null)
  const terminate = useAction(async (id: string) => {
    await terminateIdleInstance(customerId, id)
    setTarget(null)
    invalidate(['idle', 'spend', 'infrastructure', 'dashboard', 'metrics', 'audit'])
  })
  const total = q.data?.monthly_usd
  return (
    <Card title="Idle instances" testid="idle-instances"
      subtitle={`Billed while serving no deployment for over ${q.data?.grace_minutes ?? '…'} minutes of fleet time${total ? ` · ${usd(total)}/month in all` : ''}`}>
      <Async q={q} lines={2} isEmpty={(d) => d.instances.length === 0} empty={<EmptyState title="No idle instances">Every running instance serves a deployment.</EmptyState>}>
        {(d) => (
          <div className="table-wrap" {...scrollRegion('Idle instances')}>
            <table className="table" data-testid="idle-table">
              <thead><tr><th scope="col">Instance</th><th scope="col">Type</th><th scope="col">Pricing</th><th scope="col">Running since</th><th scope="col" className="num">Idle hours</th><th scope="col" className="num">Monthly cost</th><th scope="col"><span className="sr-only">Action</span></th></tr></thead>
              <tbody>
                {d.instances.map((i) => (
                  <tr key={i.instance_id} data-testid="idle-row" data-instance={i.instance_id}>
                    <th scope="row" className="mono">{i.instance_id}</th>
                    <td>{i.instance_type} <span className="muted small">{i.gpu_count} × {i.gpu_type} · {i.cloud} {i.region}</span></td>
                    <td><Badge tone={pricingTone(i.pricing)}>{label(i.pricing)}</Badge></td>
                    <td>{when(i.launched_at)}</td>
                    <td className="num">{number(i.idle_hours)}</td>
                    <td className="num strong">{usd(i.monthly_usd)}</td>
                    <td><button type="button" className="btn btn-danger btn-sm" onClick={() => setTarget(i)} data-testid="idle-terminate">Terminate</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
      <Dialog open={target !== null} onClose={() => setTarget(null)} title={`Terminate ${target?.instance_id ?? ''}?`} testid="idle-terminate-dialog" actions={<>
        <button type="button" className="btn" onClick={() => setTarget(null)}>Keep it</button>
        <button type="button" className="btn btn-danger" onClick={() => target && void terminate.run(target.instance_id)} disabled={terminate.pending} data-testid="idle-terminate-confirm">{terminate.pending ? 'Terminating…' : 'Terminate instance'}</button>
      </>}>
        <p>The cloud stops billing {target?.instance_type} {target?.instance_id}, saving {usd(target?.monthly_usd)} a month. It serves no deployment, so no traffic moves. This cannot be undone; the action is audited.</p>
        <ActionError error={terminate.error} />
      </Dialog>
    </Card>
  )
}
