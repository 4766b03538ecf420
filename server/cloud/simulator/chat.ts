/**
 * The OpenAI-compatible chat endpoint of a simulated vLLM deployment (ecosystem-formats §6).
 * Evaluation prompts are answered correctly with the group's modelled accuracy (quantization,
 * KV-cache dtype, context length, injected degradation); the draw is a hash of (seed, model,
 * item) compared with that accuracy — common random numbers, so a repeated or paired ask
 * (stable vs canary) is stable and a less accurate config fails a superset of the items a more
 * accurate one fails. Other prompts get a short generic completion.
 */
import { createHash } from 'node:crypto'
import { accuracy } from '../model/quality.ts'
import type { GroupRole } from '../provider.ts'
import { findEvalItem, wrongAnswer } from '../../quality/eval-set.ts'
import type { SimContext } from './context.ts'
import { listFaults } from './fault-store.ts'
import { groupServingAt, type GroupServing } from './serving-view.ts'
import { instancesOfDeployment, listDeployments, type DeploymentRow } from './store.ts'

/** The part of an OpenAI chat request the simulator reads. */
export interface ChatRequest {
  model?: string
  messages: { role: string; content: string | { type: string; text?: string }[] | null }[]
  max_tokens?: number
  max_completion_tokens?: number
}

/** An OpenAI chat.completion response with vLLM's optional per-request metrics. */
export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: { index: number; message: { role: 'assistant'; content: string; tool_calls: [] }; logprobs: null; finish_reason: 'stop' | 'length' }[]
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
  metrics: { time_to_first_token_ms: number; generation_time_ms: number; queue_time_ms: number; mean_itl_ms: number; tokens_per_second: number }
}

/** What the endpoint answers: a completion, or an HTTP status with the missing thing (404) or the reason (503). */
export type ChatResult = { status: 200; group: GroupRole; body: ChatCompletion } | { status: 404 | 503; message: string }

/** A uniform number in [0, 1) from a string key (stable across processes). */
export function hashUnit(key: string): number {
  const b = createHash('sha256').update(key).digest()
  return (b.readUInt32BE(0) * 2 ** 16 + b.readUInt16BE(4)) / 2 ** 48
}

/** Rough token count of a text (≈ 4 characters per token for English). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}

function textOf(content: ChatRequest['messages'][number]['content']): string {
  if (typeof content === 'string') return content
  return (content ?? []).map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join('')
}

/** The group a routed request goes to: canary with probability weight%, decided by a hash of the request. */
export function routeGroup(d: Pick<DeploymentRow, 'canary_config' | 'canary_weight'>, requestKey: string): GroupRole {
  if (!d.canary_config || d.canary_weight <= 0) return 'stable'
  return hashUnit(`route|${requestKey}`) * 100 < d.canary_weight ? 'canary' : 'stable'
}

/** The answer text and whether it was an evaluation item answered correctly. */
export function answerFor(ctx: Pick<SimContext, 'seed'>, d: DeploymentRow, g: GroupServing, userText: string, promptTokens: number): string {
  const item = findEvalItem(userText)
  if (!item) {
    const q = g.config.quantization === 'none' ? 'fp16' : g.config.quantization
    return `This is ${d.model.name} (${q}) served by a simulated vLLM deployment. Your message had about ${estimateTokens(userText)} tokens.`
  }
  const gpuType = g.running[0]?.gpu_type
  const p = accuracy(d.model, g.config, { degradation: g.effects.degradation, contextTokens: promptTokens, ...(gpuType ? { gpuType } : {}) })
  const u = hashUnit(`answer|${ctx.seed}|${d.model.name}|${item.id}`)
  return u < p ? item.answer : wrongAnswer(item, hashUnit(`wrong|${ctx.seed}|${d.model.name}|${item.id}`))
}

function completion(d: DeploymentRow, g: GroupServing, content: string, promptTokens: number, maxTokens: number | undefined, now: Date): ChatCompletion {
  const full = estimateTokens(content)
  const completionTokens = maxTokens !== undefined && maxTokens < full ? Math.max(1, maxTokens) : full
  const text = completionTokens < full ? content.slice(0, completionTokens * 4) : content
  const s = g.stats!
  const generationMs = s.itlMs.p50 * completionTokens
  return {
    id: `chatcmpl-${createHash('sha256').update(`${d.customer_id}|${d.id}|${now.getTime()}|${content}|${hashUnit(String(now.getTime()))}`).digest('hex').slice(0, 24)}`,
    object: 'chat.completion', created: Math.floor(now.getTime() / 1000), model: d.model.name,
    choices: [{ index: 0, message: { role: 'assistant', content: text, tool_calls: [] }, logprobs: null, finish_reason: completionTokens < full ? 'length' : 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    metrics: {
      time_to_first_token_ms: s.ttftMs.p50, generation_time_ms: generationMs, queue_time_ms: s.queueMs.p50, mean_itl_ms: s.itlMs.p50,
      tokens_per_second: generationMs > 0 ? (completionTokens * 1000) / generationMs : 0,
    },
  }
}

/** Serves one chat request on a group (or through the router when `group` is null). */
export async function chatCompletion(ctx: SimContext, customerId: string, deploymentId: string, group: GroupRole | null, req: ChatRequest): Promise<ChatResult> {
  const now = ctx.clock.now()
  const [d] = await listDeployments(ctx.db, customerId, deploymentId)
  if (!d) return { status: 404, message: `Deployment ${deploymentId}` }
  if (req.model !== undefined && req.model !== d.model.name) return { status: 404, message: `Model ${req.model} (served: ${d.model.name})` }
  const messages = req.messages.map((m) => ({ role: m.role, text: textOf(m.content) }))
  const userText = [...messages].reverse().find((m) => m.role === 'user')?.text ?? ''
  const chosen = group ?? routeGroup(d, JSON.stringify(messages))
  const rows = await instancesOfDeployment(ctx.db, customerId, deploymentId)
  const g = groupServingAt(d, rows, await listFaults(ctx.db, customerId), chosen, now)
  if (!g) return { status: 404, message: `Deployment group ${deploymentId}/${chosen}` }
  if (!g.stats?.fits || g.running.length === 0) return { status: 503, message: `${chosen} group of ${deploymentId} is not serving` }
  if (hashUnit(`error|${now.getTime()}|${userText}`) < g.stats.errorRate) return { status: 503, message: 'request failed: server overloaded or erroring' }
  const promptTokens = messages.reduce((n, m) => n + estimateTokens(m.text) + 4, 0)
  const content = answerFor(ctx, d, g, userText, promptTokens)
  return { status: 200, group: chosen, body: completion(d, g, content, promptTokens, req.max_completion_tokens ?? req.max_tokens, now) }
}
