/**
 * Canary gates over HTTP: a deployment's gate records with the plan of a canary starting now
 * (`GET .../gates`), declaring one gate (`PUT .../gates/:gate`) and returning it to its default
 * (`DELETE .../gates/:gate`). A rollout snapshots the records when its canary starts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DeploymentGates, GateBody, GateParams, GatePolicy } from '../../api/gates.ts'
import { DeploymentParams } from '../../api/slo.ts'
import type { FleetDeployment } from '../cloud/provider.ts'
import { deploymentOrNotFound } from '../slo/routes.ts'
import { errorResponses } from '../../api/common.ts'
import { recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { EVAL_SET } from '../quality/eval-set.ts'
import { CANARY_ROLLOUT_STEPS, DEFAULT_BAKE } from '../rollouts/rollout.ts'
import { readDeploymentSignals } from '../telemetry/signals.ts'
import { canaryPlan, gateSpecProblem } from './policy.ts'
import { deleteGate, gatePoliciesOf, putGate } from './store.ts'

const tags = ['gates']
/** Traffic the plan sizes the canary with: the deployment's mean rate over this much fleet time. */
const TRAFFIC_WINDOW_MS = 15 * 60_000
/** The canary's share of traffic at its first validation step. */
const FIRST_CANARY_WEIGHT = (CANARY_ROLLOUT_STEPS.find((s) => s.action === 'validate')?.weight ?? 10) / 100

/** Gate routes. */
export const gateRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  const deploymentOf = (customerId: string, deploymentId: string) => deploymentOrNotFound(deps, customerId, deploymentId)
  const view = async (customerId: string, d: FleetDeployment) => {
    const gates = await gatePoliciesOf(db, customerId, d)
    const to = clock.now()
    const signals = await readDeploymentSignals(db, customerId, d.id, { from: new Date(to.getTime() - TRAFFIC_WINDOW_MS), to })
    const rps = signals?.throughputRps ?? null
    const input = { intervalMs: DEFAULT_BAKE.intervalMs, promptsPerInterval: DEFAULT_BAKE.promptsPerInterval, evalPrompts: EVAL_SET.length, canaryWeight: FIRST_CANARY_WEIGHT, rps }
    return {
      deployment_id: d.id, gates,
      plan: { canary_weight: FIRST_CANARY_WEIGHT, rps, interval_s: input.intervalMs / 1000, prompts_per_interval: input.promptsPerInterval, lines: canaryPlan(gates, input) },
    }
  }

  app.get('/customers/:id/deployments/:deploymentId/gates', { schema: { tags, summary: "A deployment's canary gates and the sample a canary starting now needs", params: DeploymentParams, response: { 200: DeploymentGates, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return view(req.params.id, await deploymentOf(req.params.id, req.params.deploymentId))
  })

  app.put('/customers/:id/deployments/:deploymentId/gates/:gate', { schema: { tags, summary: 'Declare one canary gate of a deployment', params: GateParams, body: GateBody, response: { 200: GatePolicy, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    const d = await deploymentOf(req.params.id, req.params.deploymentId)
    const problem = gateSpecProblem(req.params.gate, req.body)
    if (problem) throw new errors.OPT_GATE_INVALID(problem)
    const now = clock.now()
    await db.tx(async (tx) => {
      await putGate(tx, req.params.id, d.id, req.params.gate, req.body, now)
      await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'gate:declared', subjectType: 'deployment', subjectId: d.id, detail: { gate: req.params.gate, ...req.body } })
    })
    return (await gatePoliciesOf(db, req.params.id, d)).find((g) => g.gate === req.params.gate)!
  })

  app.delete('/customers/:id/deployments/:deploymentId/gates/:gate', { schema: { tags, summary: 'Return one canary gate to its default', params: GateParams, response: { 200: GatePolicy, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    const d = await deploymentOf(req.params.id, req.params.deploymentId)
    await db.tx(async (tx) => {
      if (await deleteGate(tx, req.params.id, d.id, req.params.gate)) {
        await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'gate:reset', subjectType: 'deployment', subjectId: d.id, detail: { gate: req.params.gate } })
      }
    })
    return (await gatePoliciesOf(db, req.params.id, d)).find((g) => g.gate === req.params.gate)!
  })
}
