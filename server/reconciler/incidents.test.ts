import { describe, expect, it } from 'vitest'
import type { FleetDeployment, FleetInstance } from '../cloud/provider.ts'
import type { DeploymentSlo } from '../slo/slo.ts'
import type { DeploymentSignals } from '../telemetry/signals.ts'
import { incidentConditions } from './incidents.ts'

const inst = (id: string, o: Partial<FleetInstance> = {}) => ({ id, state: 'running', interruptionAt: null, ...o }) as FleetInstance
const dep = { id: 'chat', stable: { instanceIds: ['a', 'b'] } } as unknown as FleetDeployment
const slo: DeploymentSlo = { deployment_id: 'chat', ttft_p95_ms: 500, itl_p95_ms: null, e2e_p95_ms: 2000, e2e_p99_ms: 3000, max_error_rate: 0.01, min_quality: 0.95, source: 'declared', updated_at: '' }
const signals = (o: Partial<DeploymentSignals>) => ({ p95LatencyMs: 1000, p99LatencyMs: 1500, errorRate: 0, ttftP95Ms: 200, ...o }) as DeploymentSignals

describe('incident conditions', () => {
  it('is down when no stable instance serves, saying how many are under notice', () => {
    const c = incidentConditions(dep, [inst('a', { state: 'terminated' }), inst('b', { state: 'pending' })], slo, signals({ p95LatencyMs: 9999 }))
    expect([...c.keys()]).toEqual(['down'])
    expect(c.get('down')).toMatch(/no instance of chat is serving/)
  })

  it('violates the SLO when the window breaks an objective, and is quiet when compliant or unmeasured', () => {
    const live = [inst('a'), inst('b')]
    expect(incidentConditions(dep, live, slo, signals({})).size).toBe(0)
    expect(incidentConditions(dep, live, slo, null).size).toBe(0)
    const c = incidentConditions(dep, live, slo, signals({ p95LatencyMs: 2500, errorRate: 0.05 }))
    expect(c.get('slo_violation')).toBe('chat violates its declared SLO: p95 2500 ms > 2000 ms, error rate 5.00% > 1.00%')
  })
})
