/**
 * The OpenAI-compatible surface of each simulated vLLM deployment, per group and through the
 * weighted router: chat completions (JSON or SSE), legacy completions, the model list, and errors
 * in OpenAI's shape so OpenAI's own clients read them. Access rules are the simulator plugin's hook.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { Type } from '@sinclair/typebox'
import { Uuid } from '../../../api/common.ts'
import { ChatBody, CompletionBody, OpenAiErrorBody, ResourceId } from '../../../api/simulator.ts'
import type { Deps } from '../../deps.ts'
import { errors } from '../../errors.ts'
import { toErrorBody } from '../../http/errors.ts'
import { requestLogLevel } from '../../logging/request-log.ts'
import type { GroupRole } from '../provider.ts'
import type { ChatRequest, ChatResult } from './chat.ts'
import type { Simulator } from './simulator.ts'
import { chatChunks, openAiError, sseText, textChunks, textCompletion } from './openai.ts'

const Group = Type.Union([Type.Literal('stable'), Type.Literal('canary')])
// The four ways to address a deployment: customer-scoped or short, one group or the router.
const PREFIXES = [
  { path: '/sim/customers/:customerId/deployments/:deploymentId/:group', params: Type.Object({ customerId: Uuid, deploymentId: ResourceId, group: Group }) },
  { path: '/sim/customers/:customerId/deployments/:deploymentId', params: Type.Object({ customerId: Uuid, deploymentId: ResourceId }) },
  { path: '/sim/deployments/:deploymentId/:group', params: Type.Object({ deploymentId: ResourceId, group: Group }) },
  { path: '/sim/deployments/:deploymentId', params: Type.Object({ deploymentId: ResourceId }) },
]
type Params = { customerId?: string; deploymentId: string; group?: string }
// The fleet's clients call many times a minute: not user traffic to throttle.
const open = { rateLimit: false } as const
const errorSchemas = Object.fromEntries([400, 401, 403, 404, 409, 503].map((s) => [s, OpenAiErrorBody]))
// OpenAI's own objects (or an SSE stream of them), passed through as the simulator builds them
const answers = (what: string) => ({ 200: Type.Unknown({ description: what }), ...errorSchemas })

/** Every error of these routes in OpenAI's shape, logged like the platform's other answers. */
function openAiErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(err, req.id)
  if (status >= 500 && body.code !== 'OPT_UNAVAILABLE') req.log.error({ err, requestId: req.id }, 'internal error')
  else req.log[requestLogLevel(req)]({ code: body.code, status, reason: err.message }, 'request failed')
  void reply.status(status).header('x-request-id', req.id).send({ ...body, ...openAiError(status, body.code, body.message) })
}

function served(r: ChatResult): Extract<ChatResult, { status: 200 }> {
  if (r.status !== 200) throw r.status === 404 ? new errors.OPT_NOT_FOUND(r.message) : new errors.OPT_UNAVAILABLE(r.message)
  return r
}

function sendEvents(reply: FastifyReply, group: GroupRole, events: object[]): FastifyReply {
  const frames = sseText(events).split(/(?<=\n\n)/)
  return reply.header('x-sim-group', group).header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8').send(Readable.from(frames))
}

/** The OpenAI-compatible routes; `owner` resolves the customer of a short path (and checks access). */
export const openAiRoutes: FastifyPluginAsyncTypebox<{ deps: Deps; sim: Simulator; owner: (req: FastifyRequest, id: string) => Promise<string> }> = async (app, { deps, sim, owner }) => {
  const tags = ['simulator']
  app.setErrorHandler(openAiErrorHandler)
  const target = async (req: FastifyRequest) => {
    const p = req.params as Params
    return { customerId: p.customerId ?? await owner(req, p.deploymentId), deploymentId: p.deploymentId, group: (p.group ?? null) as GroupRole | null }
  }
  const complete = async (req: FastifyRequest, body: ChatRequest) => {
    const t = await target(req)
    return served(await sim.chat(t.customerId, t.deploymentId, t.group, body))
  }

  for (const { path, params } of PREFIXES) {
    app.post(`${path}/v1/chat/completions`, { config: open, schema: { tags, summary: 'OpenAI chat completion (SSE with stream: true)', params, body: ChatBody, response: answers('chat.completion, or text/event-stream of chat.completion.chunk') } }, async (req, reply) => {
      const r = await complete(req, req.body)
      if (req.body.stream) return sendEvents(reply, r.group, chatChunks(r.body, req.body.stream_options?.include_usage === true))
      return reply.header('x-sim-group', r.group).send(r.body)
    })
    app.post(`${path}/v1/completions`, { config: open, schema: { tags, summary: 'OpenAI legacy text completion (SSE with stream: true)', params, body: CompletionBody, response: answers('text_completion, or text/event-stream of them') } }, async (req, reply) => {
      const prompt = [req.body.prompt].flat()[0]!
      const r = await complete(req, { model: req.body.model, messages: [{ role: 'user', content: prompt }], max_tokens: req.body.max_tokens })
      if (req.body.stream) return sendEvents(reply, r.group, textChunks(r.body, req.body.stream_options?.include_usage === true))
      return reply.header('x-sim-group', r.group).send(textCompletion(r.body))
    })
    app.get(`${path}/v1/models`, { config: open, schema: { tags, summary: 'OpenAI model list of the deployment', params, response: answers('list of model') } }, async (req) => {
      const t = await target(req)
      const d = (await sim.listResources(t.customerId)).deployments.find((x) => x.id === t.deploymentId)
      if (!d) throw new errors.OPT_NOT_FOUND(`deployment ${t.deploymentId}`)
      return { object: 'list', data: [{ id: d.model.name, object: 'model', created: Math.floor(deps.clock.now().getTime() / 1000), owned_by: 'vllm', root: d.model.name, max_model_len: d.model.contextLen }] }
    })
  }
}
