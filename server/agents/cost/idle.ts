/**
 * The cost agent's idle-capacity finding: an instance billed while serving no deployment is money
 * spent on nothing. It is a finding, not a recommendation: there is no deployment to canary, so
 * the customer terminates it from the Cost page (POST /customers/{id}/idle-instances/{id}/terminate).
 */
import type { AgentContext, Finding } from '../agent.ts'
import { isIdle } from '../../idle/idle.ts'
import { cents, HOURS_PER_MONTH } from '../fleet.ts'

/** An idle instance costing more than this a month is a warning, below it information. */
const WARN_ABOVE_USD = 500

export function idleFindings(ctx: AgentContext): Finding[] {
  const at = new Date(ctx.now)
  return ctx.fleet.instances.filter((i) => isIdle(i, at)).map((i) => {
    const monthly = cents(i.hourlyUsd * HOURS_PER_MONTH)
    return {
      kind: 'idle_capacity', deploymentId: null, severity: monthly > WARN_ABOVE_USD ? 'warning' : 'info', source: 'telemetry',
      summary: `${i.instanceType} ${i.id} (${i.pricing}, ${i.region}) serves no deployment: $${monthly.toLocaleString('en-US')}/month for nothing`,
      data: { instance_id: i.id, instance_type: i.instanceType, pricing: i.pricing, monthly_usd: monthly, launched_at: i.launchedAt },
    }
  })
}
