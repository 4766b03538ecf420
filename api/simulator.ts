import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** Fault kinds the simulator can inject (admin only). */
export const FaultKind = Type.Union([
  Type.Literal('quality_degradation'), Type.Literal('latency_spike'), Type.Literal('error_burst'),
  Type.Literal('spot_interruption'), Type.Literal('launch_failure'), Type.Literal('capacity_shortage'), Type.Literal('traffic_surge'),
])

/** Which group of a deployment a fault hits ('canary' also hits canaries created later). */
export const FaultTarget = Type.Union([Type.Literal('stable'), Type.Literal('canary'), Type.Literal('all')])

/** A customer's deployment or instance id as the customer named it (e.g. "vllm-prod-1", "i-123456"). */
export const ResourceId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:\\-]+$' })

/** `POST /admin/simulator/faults`. */
export const FaultBody = Type.Object({
  customer_id: Uuid,
  deployment_id: Type.Optional(ResourceId),
  target: Type.Optional(FaultTarget),
  kind: FaultKind,
  /** quality_degradation: absolute accuracy drop (default 0.15); latency_spike: multiplier (3); error_burst: error share (0.2); traffic_surge: request-rate multiplier (3; below 1 a lull). */
  magnitude: Type.Optional(Type.Number()),
  instance_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** capacity_shortage: only this pricing runs short (the spot market of a type, say); default every pricing. */
  pricing: Type.Optional(Type.Union([Type.Literal('spot'), Type.Literal('on-demand')])),
  duration_seconds: Type.Optional(Type.Number({ minimum: 1, maximum: 365 * 86400 })),
}, { additionalProperties: false })
export type FaultBody = Static<typeof FaultBody>

/** A fault as the admin API shows it. */
export const Fault = Type.Object({
  id: Uuid,
  customer_id: Uuid,
  deployment_id: Type.Union([Type.String(), Type.Null()]),
  target: FaultTarget,
  kind: FaultKind,
  magnitude: Type.Number(),
  instance_type: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  cleared_at: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  detail: Type.Record(Type.String(), Type.Unknown()),
})
export type Fault = Static<typeof Fault>

/** `GET /admin/simulator/faults?customer_id=&active=`. */
export const FaultListQuery = Type.Object({ customer_id: Uuid, active: Type.Optional(Type.Boolean()) }, { additionalProperties: false })

/** `GET /admin/simulator/events?customer_id=`. */
export const SimEventQuery = Type.Object({ customer_id: Uuid }, { additionalProperties: false })

/** One chat message (OpenAI shape: content is a string or an array of parts). */
const ChatMessage = Type.Object({
  role: Type.String({ minLength: 1, maxLength: 32 }),
  content: Type.Union([
    Type.String({ maxLength: 200_000 }), Type.Null(),
    Type.Array(Type.Object({ type: Type.String(), text: Type.Optional(Type.String()) }, { additionalProperties: true }), { maxItems: 64 }),
  ]),
}, { additionalProperties: true })

/** `POST …/v1/chat/completions`: the fields the simulator reads; other OpenAI/vLLM fields are accepted and ignored. */
export const ChatBody = Type.Object({
  model: Type.Optional(Type.String({ maxLength: 256 })),
  messages: Type.Array(ChatMessage, { minItems: 1, maxItems: 256 }),
  max_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
  max_completion_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Server-Sent Events of `chat.completion.chunk` objects, ending with `data: [DONE]`. */
  stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: true }), Type.Null()])),
}, { additionalProperties: true })
export type ChatBody = Static<typeof ChatBody>

/** `POST …/v1/completions` (legacy text completion): one prompt; other OpenAI/vLLM fields are accepted and ignored. */
export const CompletionBody = Type.Object({
  model: Type.Optional(Type.String({ maxLength: 256 })),
  prompt: Type.Union([Type.String({ maxLength: 200_000 }), Type.Array(Type.String({ maxLength: 200_000 }), { minItems: 1, maxItems: 1 })]),
  max_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
  stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: true }), Type.Null()])),
}, { additionalProperties: true })
export type CompletionBody = Static<typeof CompletionBody>

/**
 * OpenAI's error body, as the simulated vLLM's `/v1/*` routes answer errors, beside the platform's
 * own `{code, message, requestId}` so one error shape holds on every route (OpenAI's clients read
 * only `error`).
 */
export const OpenAiErrorBody = Type.Object({
  error: Type.Object({ message: Type.String(), type: Type.String(), param: Type.Null(), code: Type.String() }),
  code: Type.String(), message: Type.String(), requestId: Type.String(),
})
