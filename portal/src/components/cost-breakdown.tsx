/**
 * The Cost dashboard's per-deployment table, from the bill (GET /customers/{id}/spend): each
 * deployment's share of the run-rate, capacity billed while serving nothing on its own line, and
 * what a million processed tokens cost. The rows add up to the total shown under them, which is
 * the dashboard's current spend, so no dollar silently drops out of the split.
 */
import { getSpend } from '../api/endpoints.ts'
import { useQuery } from '../api/query.ts'
import type { Infrastructure, SpendBreakdown, VllmDeployment } from '../api/types.ts'
import { label, number, usd } from '../lib/format.ts'
import { Async, Badge, scrollRegion } from './ui.tsx'

type SpendLine = SpendBreakdown['deployments'][number]

export function CostBreakdown({ customerId, infra }: { customerId: string; infra: Infrastructure }) {
  const spend = useQuery(['spend', customerId], () => getSpend(customerId))
  return (
    <Async q={spend} lines={4}>
      {(s) => (
        <div className="table-wrap" {...scrollRegion('Breakdown')}>
          <table className="table" data-testid="breakdown-table">
            <thead>
              <tr>
                <th scope="col">Deployment</th><th scope="col" className="num">Generation</th><th scope="col" className="num">Instances</th>
                <th scope="col">Pricing</th><th scope="col" className="num">Tokens/s</th><th scope="col" className="num">Per 1M tokens</th><th scope="col" className="num">Monthly cost</th>
              </tr>
            </thead>
            <tbody>
              {infra.vllm_deployments.map((d) => <DeploymentRow key={d.deployment_id} d={d} infra={infra} line={s.deployments.find((l) => l.deployment_id === d.deployment_id)} />)}
              {s.deployments.filter((l) => l.deployment_id === null).map((l) => <IdleRow key="idle" line={l} />)}
            </tbody>
            <tfoot>
              <tr data-testid="breakdown-total">
                <th scope="row" colSpan={6}>Total run-rate (from the bill)</th>
                <td className="num strong" data-testid="breakdown-total-monthly">{usd(s.monthly_usd)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </Async>
  )
}

function DeploymentRow({ d, infra, line }: { d: VllmDeployment; infra: Infrastructure; line: SpendLine | undefined }) {
  const own = infra.instances.filter((i) => i.deployment_id === d.deployment_id)
  const pricing = [...new Set(own.map((i) => i.pricing ?? 'unknown'))]
  return (
    <tr data-testid="breakdown-row">
      <th scope="row"><span className="mono">{d.deployment_id}</span>{d.canary_weight ? <> <Badge tone="accent">canary {d.canary_weight}%</Badge></> : null}<div className="muted small">{d.model ?? '—'}</div></th>
      <td className="num" data-testid="deployment-generation">{d.generation ?? '—'}{d.observed && !d.observed.in_sync ? <> <Badge tone="warning">not in sync</Badge></> : null}{d.settling ? <> <Badge tone="info" testid="deployment-settling" title={`Agents judge it again ${d.settling.until ? `from ${new Date(d.settling.until).toLocaleTimeString()}` : 'once the change ends'}: ${d.settling.reason}`}>settling</Badge></> : null}</td>
      <td className="num">{d.observed ? `${d.observed.healthy_instances} healthy / ${own.length}` : own.length}</td>
      <td><span className="row-gap">{pricing.map((x) => <Badge key={x} tone={pricingTone(x)}>{label(x)}</Badge>)}</span></td>
      <td className="num">{number(line?.tokens_per_sec)}</td>
      <td className="num" data-testid="per-million-tokens">{usd(line?.usd_per_million_tokens)}</td>
      <td className="num strong" data-testid="deployment-monthly">{usd(line?.monthly_usd ?? 0)}</td>
    </tr>
  )
}

function IdleRow({ line }: { line: SpendLine }) {
  return (
    <tr data-testid="breakdown-idle-row">
      <th scope="row">Idle capacity <Badge tone="warning">serving no deployment</Badge></th>
      <td className="num">—</td>
      <td className="num">{line.instances}</td>
      <td>—</td><td className="num">—</td><td className="num">—</td>
      <td className="num strong" data-testid="idle-monthly">{usd(line.monthly_usd)}</td>
    </tr>
  )
}

export function pricingTone(p: string | undefined) {
  return p === 'spot' ? 'accent' as const : p === 'reserved' || p === 'committed' ? 'info' as const : 'neutral' as const
}
