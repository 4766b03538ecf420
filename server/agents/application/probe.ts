/**
 * The application agent's quality probe over real HTTP: evaluation prompts sent to a group's
 * OpenAI-compatible `/v1/chat/completions`, answers scored against the references. The same code
 * serves in-process agents (against the platform's own URL) and agent processes (against --server).
 */
import { hashString } from '../../cloud/model/rng.ts'
import { EVAL_SET, evalItemById, scoreAnswer, type EvalItem } from '../../quality/eval-set.ts'
import type { ProbeItem, QualityProbe, QualityProbeRequest, QualityProbeResult } from '../agent.ts'
import { isRefusal, refusalOrFailure } from '../../quality/refusal.ts'

/** Where and how to probe. */
export interface HttpProbeOptions {
  /** Base URL that relative endpoint paths are resolved against. */
  baseUrl: string
  /** Bearer token sent with each request, when the endpoint needs one. */
  token?: string
  /** Requests in flight at once (a probe must not load the deployment it measures). */
  concurrency?: number
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

/** Evaluation prompts for a probe: the requested ids, else `count` items spread over the set from a seeded offset. */
export function selectItems(req: Pick<QualityProbeRequest, 'count' | 'seed' | 'itemIds'>): EvalItem[] {
  if (req.itemIds?.length) return req.itemIds.map((id) => evalItemById(id)).filter((i): i is EvalItem => !!i)
  const n = Math.max(1, Math.min(req.count, EVAL_SET.length))
  const stride = EVAL_SET.length / n
  const offset = hashString(req.seed ?? 'probe') % EVAL_SET.length
  return Array.from({ length: n }, (_, k) => EVAL_SET[(offset + Math.floor(k * stride)) % EVAL_SET.length]!)
}

async function ask(opts: HttpProbeOptions, url: string, item: EvalItem, model: string | undefined): Promise<string> {
  const f = opts.fetchImpl ?? fetch
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  const res = await f(url, {
    method: 'POST', headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    body: JSON.stringify({ ...(model ? { model } : {}), messages: [{ role: 'user', content: item.prompt }], max_tokens: 32, temperature: 0 }),
  })
  if (!res.ok) throw refusalOrFailure(res.status, url)
  const body = (await res.json()) as { choices?: { message?: { content?: unknown } }[] }
  const content = body.choices?.[0]?.message?.content
  if (typeof content !== 'string') throw new Error(`no answer text from ${url}`)
  return content
}

/** Resolves an endpoint (relative for the simulator, absolute for a real fleet) against the base URL. */
export function endpointUrl(baseUrl: string, endpoint: string): string {
  return new URL(endpoint, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString()
}

/** Creates a probe that asks over HTTP with bounded concurrency and scores with the eval set's scorer. */
export function createHttpProbe(opts: HttpProbeOptions): QualityProbe {
  return async (req): Promise<QualityProbeResult> => {
    const url = endpointUrl(opts.baseUrl, req.endpoint)
    const items = selectItems(req)
    const results: (ProbeItem | null)[] = new Array(items.length).fill(null)
    let next = 0
    let lastError: string | undefined
    let refused = 0
    const worker = async () => {
      while (next < items.length) {
        const k = next++
        const item = items[k]!
        try {
          const score = scoreAnswer(item, await ask(opts, url, item, req.model))
          results[k] = { id: item.id, correct: score === 1, score }
        } catch (err) {
          results[k] = null
          if (isRefusal(err)) refused++
          lastError = err instanceof Error ? err.message : String(err)
        }
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker))
    const answered = results.filter((r): r is ProbeItem => r !== null)
    return {
      deploymentId: req.deploymentId, group: req.group, endpoint: req.endpoint, prompts: items.length, answered: answered.length,
      errors: items.length - answered.length, refused, score: answered.length ? answered.reduce((s, r) => s + r.score, 0) / answered.length : 0,
      items: answered, ...(lastError ? { lastError } : {}),
    }
  }
}
