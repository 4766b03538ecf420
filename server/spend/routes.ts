import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { SpendBreakdown, SpendHistory, SpendHistoryQuery } from '../../api/spend.ts'
import { errors } from '../errors.ts'
import { requireCustomerAccess } from '../http/auth.ts'
import type { Deps } from '../deps.ts'
import { readSignalsByDeployment } from '../telemetry/signals.ts'
import { spendByDeployment } from './breakdown.ts'
import { deploymentsByCost, MAX_SPEND_BUCKETS, SPEND_BUCKETS, spendHistory, type SpendBucket } from './history.ts'
import { RUN_RATE_WINDOW_MS } from './run-rate.ts'

/** Token rates are averaged over this much fleet time: long enough to smooth the daily shape's minute-to-minute noise. */
const TOKEN_WINDOW_MS = 15 * 60_000
const round2 = (x: number) => Math.round(x * 100) / 100
const round4 = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000)

/** Spend by deployment, from the bill (idle instances as their own line). */
export const spendRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/customers/:id/spend', { schema: { tags: ['dashboard'], summary: 'Spend by deployment', params: IdParams, response: { 200: SpendBreakdown, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const at = deps.clock.now()
    const [lines, fleet] = await Promise.all([deps.cloud.getBill(req.params.id, new Date(at.getTime() - RUN_RATE_WINDOW_MS), at), deps.cloud.listResources(req.params.id)])
    const signals = await readSignalsByDeployment(deps.db, req.params.id, fleet.deployments.map((d) => d.id), { from: new Date(at.getTime() - TOKEN_WINDOW_MS), to: at })
    const tokens = new Map([...signals].map(([id, s]) => [id, (s.promptTokensPerSec ?? 0) + (s.generationTokensPerSec ?? 0)]))
    const split = spendByDeployment(lines, at, new Map(fleet.instances.map((i) => [i.id, i.hourlyUsd])), tokens)
    return {
      at: at.toISOString(), monthly_usd: round2(split.reduce((s, l) => s + l.monthlyUsd, 0)), token_window_minutes: TOKEN_WINDOW_MS / 60_000,
      deployments: split.map((l) => ({ deployment_id: l.deploymentId, monthly_usd: round2(l.monthlyUsd), instances: l.instances, tokens_per_sec: round4(l.tokensPerSec), usd_per_million_tokens: round4(l.usdPerMillionTokens) })),
    }
  })

  app.get('/customers/:id/spend/history', { schema: { tags: ['dashboard'], summary: 'Cost over time by deployment, from the bill', params: IdParams, querystring: SpendHistoryQuery, response: { 200: SpendHistory, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const days = req.query.days ?? 7
    const bucket: SpendBucket = req.query.bucket ?? (days <= 2 ? 'hour' : 'day')
    const count = Math.ceil((days * SPEND_BUCKETS.day) / SPEND_BUCKETS[bucket])
    if (count > MAX_SPEND_BUCKETS) throw new errors.OPT_BAD_REQUEST(`${days} days in ${bucket}s is ${count} buckets; at most ${MAX_SPEND_BUCKETS} (use bucket=day)`)
    const to = deps.clock.now()
    const history = await spendHistory(deps.cloud, req.params.id, to, bucket, count)
    return {
      from: history[0]!.start.toISOString(), to: to.toISOString(), bucket, total_usd: round2(history.reduce((s, b) => s + b.totalUsd, 0)),
      deployments: deploymentsByCost(history),
      points: history.map((b) => ({
        start: b.start.toISOString(), end: b.end.toISOString(), total_usd: round2(b.totalUsd),
        by_deployment: [...b.byDeployment].map(([deployment_id, usd]) => ({ deployment_id, usd: round2(usd) })),
      })),
    }
  })
}
