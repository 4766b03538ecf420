import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../../test/db.ts'
import type { Db } from '../../db/db.ts'
import { EVAL_SET, scoreAnswer } from '../../quality/eval-set.ts'
import { accuracy } from '../model/quality.ts'
import type { EngineConfig } from '../model/serving.ts'
import type { FleetSpec } from './register-plan.ts'
import { simFixture, type SimFixture } from './testing.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const FLEET: FleetSpec = {
  instances: [{ instance_id: 'i-q-1', instance_type: 'g6e.xlarge' }, { instance_id: 'i-q-2', instance_type: 'g6e.xlarge' }],
  vllm_deployments: [{ deployment_id: 'q', model: 'meta-llama/Llama-3.1-8B-Instruct', instance_ids: ['i-q-1'], requests_per_second: 2 }],
}
const PADDING = 'Context: '.padEnd(40_000, 'lorem ipsum ') // ≈ 10K tokens of context before the question

async function answers(f: SimFixture, group: 'stable' | 'canary', pad = '') {
  const out: { correct: 0 | 1; text: string }[] = []
  for (const item of EVAL_SET) {
    const r = await f.sim.chat(f.customerId, 'q', group, { messages: [{ role: 'user', content: pad ? `${pad}\n${item.prompt}` : item.prompt }] })
    if (r.status !== 200) throw new Error(`${r.status} ${r.message}`)
    const text = r.body.choices[0]!.message.content
    out.push({ correct: scoreAnswer(item, text), text })
  }
  return out
}
const rate = (xs: { correct: number }[]) => xs.reduce((a, x) => a + x.correct, 0) / xs.length

async function withCanary(config: (c: EngineConfig) => EngineConfig): Promise<SimFixture> {
  const f = await simFixture(db, FLEET)
  const stable = (await f.sim.listResources(f.customerId)).deployments[0]!.stable.config
  const r = await f.sim.setCanary({ changeId: 'c', customerId: f.customerId, deploymentId: 'q', group: { instanceIds: ['i-q-2'], config: config(stable) }, weight: 50 })
  if (!r.ok) throw new Error(r.error.message)
  return f
}

describe(`chat completions answer with the modelled accuracy on ${testDbKind}`, () => {
  it('scores FP16 Llama-3.1-8B near its modelled accuracy, identically on a repeat', async () => {
    const f = await simFixture(db, FLEET)
    const first = await answers(f, 'stable')
    const modelled = accuracy((await f.sim.listResources(f.customerId)).deployments[0]!.model, (await f.sim.listResources(f.customerId)).deployments[0]!.stable.config)
    expect(Math.abs(rate(first) - modelled)).toBeLessThan(0.07) // ≈ 2.3 binomial σ for n = 220
    expect(await answers(f, 'stable')).toEqual(first)
  })

  it('gives a same-config canary exactly the stable answers (paired asks are stable)', async () => {
    const f = await withCanary((c) => c)
    expect(await answers(f, 'canary')).toEqual(await answers(f, 'stable'))
  })

  it('loses accuracy under INT4 as the context grows, failing a superset of the FP16 misses', async () => {
    const f = await withCanary((c) => ({ ...c, quantization: 'int4' }))
    const [stableShort, canaryShort, stableLong, canaryLong] = [await answers(f, 'stable'), await answers(f, 'canary'), await answers(f, 'stable', PADDING), await answers(f, 'canary', PADDING)]
    expect(rate(stableShort) - rate(canaryShort)).toBeLessThan(0.05) // ~2% relative at short context
    expect(rate(stableLong) - rate(canaryLong)).toBeGreaterThan(0.06) // Llama INT4 at ~10K context: ~16% relative
    canaryLong.forEach((c, i) => { if (c.correct) expect(stableLong[i]!.correct).toBe(1) })
  })

  it('routes requests between groups by weight, deterministically per request', async () => {
    const f = await withCanary((c) => ({ ...c, kvCacheDtype: 'fp8' }))
    const groups: string[] = []
    for (const item of EVAL_SET.slice(0, 200)) {
      const r = await f.sim.chat(f.customerId, 'q', null, { messages: [{ role: 'user', content: item.prompt }] })
      if (r.status === 200) groups.push(r.group)
    }
    const canaryShare = groups.filter((g) => g === 'canary').length / groups.length
    expect(canaryShare).toBeGreaterThan(0.38)
    expect(canaryShare).toBeLessThan(0.62)
    const again = await f.sim.chat(f.customerId, 'q', null, { messages: [{ role: 'user', content: EVAL_SET[0]!.prompt }] })
    expect(again.status === 200 && again.group).toBe(groups[0])
  })

  it('answers non-evaluation prompts with a short generic completion and truncates at max_tokens', async () => {
    const f = await simFixture(db, FLEET)
    const r = await f.sim.chat(f.customerId, 'q', 'stable', { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Write a poem about GPUs' }], max_tokens: 5 })
    expect(r.status).toBe(200)
    if (r.status !== 200) return
    expect(r.body.choices[0]!.finish_reason).toBe('length')
    expect(r.body.usage.completion_tokens).toBe(5)
    expect(r.body.metrics.time_to_first_token_ms).toBeGreaterThan(0)
  })
})
