import { describe, expect, it } from 'vitest'
import type { ChatCompletion } from './chat.ts'
import { chatChunks, openAiError, sseText, streamPieces, textCompletion } from './openai.ts'

const completion: ChatCompletion = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris is the capital.', tool_calls: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
  metrics: { time_to_first_token_ms: 1, generation_time_ms: 1, queue_time_ms: 0, mean_itl_ms: 1, tokens_per_second: 1 },
}

describe('OpenAI wire shapes', () => {
  it('streams the text in pieces that join back to it, then the finish reason, then usage when asked', () => {
    expect(streamPieces('Paris is the capital.').join('')).toBe('Paris is the capital.')
    const chunks = chatChunks(completion, true) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: unknown }[]
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Paris is the capital.')
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop')
    expect(chunks.at(-1)!.usage).toEqual(completion.usage)
    expect(chatChunks(completion, false).some((c) => 'usage' in c)).toBe(false)
  })

  it('frames events as SSE ending with [DONE]', () => {
    expect(sseText([{ a: 1 }])).toBe('data: {"a":1}\n\ndata: [DONE]\n\n')
  })

  it('maps statuses to OpenAI error types and reshapes legacy completions', () => {
    expect(openAiError(404, 'OPT_NOT_FOUND', 'x')).toEqual({ error: { message: 'x', type: 'not_found_error', param: null, code: 'OPT_NOT_FOUND' } })
    expect(openAiError(503, 'OPT_UNAVAILABLE', 'x').error.type).toBe('server_error')
    expect(textCompletion(completion)).toMatchObject({ id: 'cmpl-1', object: 'text_completion', choices: [{ text: 'Paris is the capital.' }] })
  })
})
