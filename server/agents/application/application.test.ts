import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accuracy } from '../../cloud/model/quality.ts'
import { EVAL_SET, findEvalItem, wrongAnswer } from '../../quality/eval-set.ts'
import type { AgentContext, RecommendationUnderReview } from '../agent.ts'
import { costAgent } from '../cost/cost.ts'
import { runAnalysis } from '../run.ts'
import { modelProbe, seedFixtureContext } from '../testing.ts'
import { applicationAgent } from './application.ts'
import { createHttpProbe, selectItems } from './probe.ts'
import { BASELINE_PROMPTS, MONITOR_PROMPTS } from './rules.ts'

const withProbe = (ctx: AgentContext, opts: Parameters<typeof modelProbe>[1] = {}): AgentContext => ({ ...ctx, probe: modelProbe(ctx, opts) })
const spotRec = async (ctx: AgentContext): Promise<RecommendationUnderReview> => ({ ...(await runAnalysis(costAgent, ctx)).drafts[0]!, id: 'rec-1' })

describe('application agent', () => {
  it('measures every deployment on evaluation prompts and hands back quality scores to record', async () => {
    const out = await runAnalysis(applicationAgent, withProbe(seedFixtureContext()))
    expect(out.findings.map((f) => f.kind)).toEqual(['quality_measured'])
    expect(out.qualityScores).toEqual([expect.objectContaining({ deploymentId: 'vllm-prod-1', group: 'stable', samples: MONITOR_PROMPTS, purpose: 'monitor' })])
    expect(out.drafts).toEqual([])
  })

  it('flags a canary that answers worse than stable on the same prompts (paired McNemar)', async () => {
    const base = seedFixtureContext()
    const dep = base.fleet.deployments[0]!
    const ctx = { ...base, fleet: { ...base.fleet, deployments: [{ ...dep, canary: { instanceIds: [], config: dep.stable.config, weight: 10 }, endpoints: { ...dep.endpoints, chat: { ...dep.endpoints.chat, canary: '/canary' } } }] } }
    const bad = (await runAnalysis(applicationAgent, withProbe(ctx, { degradation: 0.4 }))).findings.find((f) => f.kind === 'quality_regression_check')!
    expect(bad.data.verdict).toBe('fail')
    expect(bad.severity).toBe('critical')
    const same = (await runAnalysis(applicationAgent, withProbe(ctx))).findings.find((f) => f.kind === 'quality_regression_check')!
    expect(same.data.verdict).not.toBe('fail')
    expect(same.data.n).toBe(MONITOR_PROMPTS)
  })

  it('establishes the baseline before a change and approves a quality-neutral plan', async () => {
    const ctx = withProbe(seedFixtureContext())
    const v = await applicationAgent.validate(await spotRec(ctx), ctx)
    expect(v).toMatchObject({ approved: true, baseline_established: true })
    expect((v.data.baseline as { answered: number }).answered).toBe(BASELINE_PROMPTS)
    expect(v.qualityScore).toMatchObject({ purpose: 'baseline', samples: BASELINE_PROMPTS })
  })

  it('rejects a plan the quality model predicts to lose more than a point (INT4 Llama)', async () => {
    const ctx = withProbe(seedFixtureContext())
    const rec = await spotRec(ctx)
    const int4 = { ...rec, plan: { ...rec.plan, config: { ...rec.plan.config, quantization: 'int4' as const } } }
    const dep = ctx.fleet.deployments[0]!
    const drop = accuracy(dep.model, int4.plan.config) - accuracy(dep.model, dep.stable.config)
    expect(drop).toBeLessThan(-0.01)
    const v = await applicationAgent.validate(int4, ctx)
    expect(v.approved).toBe(false)
    expect(v.baseline_established).toBe(true)
    expect(v.data.predicted_quality_delta).toBeCloseTo(drop, 4)
  })

  it('counts prompts an overloaded stable group refused as its errors, so the baseline stands', async () => {
    const base = seedFixtureContext()
    const ctx: AgentContext = { ...base, probe: async (req) => ({ deploymentId: req.deploymentId, group: req.group, endpoint: req.endpoint, prompts: req.count, answered: 12, errors: req.count - 12, refused: req.count - 12, score: 0.75, items: [], lastError: 'HTTP 503 (overloaded)' }) }
    const v = await applicationAgent.validate(await spotRec(ctx), ctx)
    expect(v).toMatchObject({ approved: true, baseline_established: true })
    expect(v.reason).toMatch(new RegExp(`${BASELINE_PROMPTS - 12} refused for overload, counted as errors of the stable group \\(${(0.75 * 12 / BASELINE_PROMPTS).toFixed(3)} as served\\)`))
  })

  it('cannot approve without a baseline when the endpoint does not answer', async () => {
    const ctx = withProbe(seedFixtureContext(), { failAll: true })
    const v = await applicationAgent.validate(await spotRec(ctx), ctx)
    expect(v).toMatchObject({ approved: false, baseline_established: false })
    const none = await applicationAgent.validate(await spotRec(seedFixtureContext()), seedFixtureContext())
    expect(none.reason).toContain('no quality probe')
  })
})

describe('application agent on a deployment seen only through its metrics', () => {
  const metricsOnly = (ctx: AgentContext): AgentContext => ({
    ...ctx, fleet: { ...ctx.fleet, deployments: ctx.fleet.deployments.map((d) => ({ ...d, endpoints: { vllmMetrics: { stable: '', canary: null }, chat: { stable: '', canary: null, router: '' }, dcgmMetrics: [] } })) },
  })

  it('sends no prompt, and checks a plan with the quality model, saying nothing was measured', async () => {
    let prompts = 0
    const ctx = metricsOnly({ ...seedFixtureContext(), probe: async (req) => { prompts += req.count; throw new Error('no endpoint to call') } })
    expect((await runAnalysis(applicationAgent, ctx)).findings.map((f) => [f.kind, f.summary])).toEqual([['quality_unmeasured', expect.stringMatching(/^no chat endpoint is known for it/)]])
    const rec = await spotRec(ctx)
    const ok = await applicationAgent.validate(rec, ctx)
    expect(ok).toMatchObject({ approved: true, baseline_established: false, data: { measured: false, predicted_quality_delta: 0 } })
    expect(ok.reason).toMatch(/no chat endpoint is known for vllm-prod-1.*no baseline was measured/)
    const int4 = await applicationAgent.validate({ ...rec, plan: { ...rec.plan, config: { ...rec.plan.config, quantization: 'int4' } } }, ctx)
    expect(int4).toMatchObject({ approved: false, baseline_established: false })
    expect(int4.reason).toMatch(/beyond the 1 pt budget/)
    expect(prompts).toBe(0)
  })
})

describe('HTTP quality probe', () => {
  // A real OpenAI-compatible endpoint that answers even-indexed evaluation items right, odd ones wrong.
  let server: Server
  let base: string
  let seenAuth: string | undefined
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => { body += c })
      req.on('end', () => {
        seenAuth = req.headers.authorization
        if (req.url !== '/sim/d/stable/v1/chat/completions' && req.url !== '/sim/busy/stable/v1/chat/completions') { res.writeHead(404).end(); return }
        const item = findEvalItem(JSON.parse(body).messages[0].content)!
        const right = EVAL_SET.indexOf(item) % 2 === 0
        if (req.url.startsWith('/sim/busy/') && !right) { res.writeHead(503).end(); return }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: right ? `The answer is ${item.answer}.` : wrongAnswer(item, 0.3) } }] }))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('sends the selected prompts, scores the answers against the references, and counts failures', async () => {
    const probe = createHttpProbe({ baseUrl: base, token: 'oir_test', concurrency: 4 })
    const req = { deploymentId: 'd', group: 'stable' as const, endpoint: '/sim/d/stable/v1/chat/completions', count: 40, seed: 's' }
    const r = await probe(req)
    const expected = selectItems(req).filter((i) => EVAL_SET.indexOf(i) % 2 === 0).length
    expect(r.answered).toBe(40)
    expect(r.score).toBeCloseTo(expected / 40, 10)
    expect(seenAuth).toBe('Bearer oir_test')
    const missing = await probe({ ...req, endpoint: '/nowhere' })
    expect(missing).toMatchObject({ answered: 0, errors: 40, refused: 0, score: 0 })
    const busy = await probe({ ...req, endpoint: '/sim/busy/stable/v1/chat/completions' })
    expect(busy).toMatchObject({ answered: expected, errors: 40 - expected, refused: 40 - expected })
  })
})
