/**
 * OpenAI wire shapes of the simulated vLLM server beyond a plain chat completion (ecosystem-formats
 * §6): Server-Sent Events when `stream: true`, the legacy `/v1/completions`, and errors as
 * `{error: {message, type, param, code}}`, which OpenAI's clients parse (vLLM answers the same shape).
 */
import type { ChatCompletion } from './chat.ts'

/** An OpenAI error body. */
export interface OpenAiError { error: { message: string; type: string; param: null; code: string } }

// OpenAI's error types by HTTP status (what its SDKs map to exception classes).
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  409: 'invalid_request_error', 413: 'invalid_request_error', 415: 'invalid_request_error', 429: 'rate_limit_error',
}

/** The OpenAI error body for a status and the catalog's `{code, message}`. */
export function openAiError(status: number, code: string, message: string): OpenAiError {
  return { error: { message, type: ERROR_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'), param: null, code } }
}

/** The pieces a completion's text streams in: a word and the space after it, as tokenizers roughly do. */
export function streamPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : [])
}

/** One chat completion as `chat.completion.chunk` events: role, content pieces, finish reason, then usage when asked. */
export function chatChunks(c: ChatCompletion, includeUsage: boolean): object[] {
  const head = { id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model }
  const choice = c.choices[0]!
  const chunk = (delta: object, finish: string | null) => ({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })
  const out: object[] = [chunk({ role: 'assistant', content: '' }, null)]
  for (const piece of streamPieces(choice.message.content)) out.push(chunk({ content: piece }, null))
  out.push(chunk({}, choice.finish_reason))
  if (includeUsage) out.push({ ...head, choices: [], usage: c.usage })
  return out
}

/** A chat completion reshaped as a legacy `text_completion` (POST /v1/completions). */
export function textCompletion(c: ChatCompletion): object {
  const choice = c.choices[0]!
  return {
    id: c.id.replace(/^chatcmpl-/, 'cmpl-'), object: 'text_completion', created: c.created, model: c.model,
    choices: [{ index: 0, text: choice.message.content, logprobs: null, finish_reason: choice.finish_reason }],
    usage: c.usage,
  }
}

/** `text_completion` chunks for a streamed legacy completion. */
export function textChunks(c: ChatCompletion, includeUsage: boolean): object[] {
  const head = { id: c.id.replace(/^chatcmpl-/, 'cmpl-'), object: 'text_completion', created: c.created, model: c.model }
  const choice = c.choices[0]!
  const out: object[] = streamPieces(choice.message.content).map((text) => ({ ...head, choices: [{ index: 0, text, logprobs: null, finish_reason: null }] }))
  out.push({ ...head, choices: [{ index: 0, text: '', logprobs: null, finish_reason: choice.finish_reason }] })
  if (includeUsage) out.push({ ...head, choices: [], usage: c.usage })
  return out
}

/** Server-Sent Events text of a list of events, ending with OpenAI's `[DONE]` sentinel. */
export function sseText(events: object[]): string {
  return `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`
}
