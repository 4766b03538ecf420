import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import { manualClock } from '../../clock.ts'
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts'
import { FIXTURE_START, SMALL_FLEET } from './testing.ts'

// The simulated vLLM's OpenAI-compatible surface, driven by OpenAI's official client.
const clock = manualClock(FIXTURE_START)
const MODEL = 'meta-llama/Meta-Llama-3-8B-Instruct'
let p: TestPlatform
let base: string
let fleetToken: string
const client = (path: string, apiKey = fleetToken) => new OpenAI({ baseURL: `${p.url}${path}/v1`, apiKey, maxRetries: 0 })

beforeAll(async () => {
  p = await startTestPlatform({ clock, workers: false })
  const customer = await p.newCustomer('OpenAI Co')
  await p.deps.twin!.registerFleet(customer.customerId, SMALL_FLEET)
  base = `/sim/customers/${customer.customerId}/deployments/chat-8b`
  fleetToken = (await p.http('GET', `/customers/${customer.customerId}/agent-install-command`, { token: customer.token })).body.agent_token
}, 60_000)
afterAll(async () => { await p?.stop() })

describe('OpenAI-compatible simulator endpoint', () => {
  it('streams a chat completion as Server-Sent Events that the openai client yields as chunks', async () => {
    const plain = await client(`${base}/stable`).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Say hello' }] })
    const stream = await client(`${base}/stable`).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Say hello' }], stream: true, stream_options: { include_usage: true } })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.length).toBeGreaterThan(3)
    expect(chunks[0]!.object).toBe('chat.completion.chunk')
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
    expect(text).toBe(plain.choices[0]!.message.content)
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop')
    expect(chunks.at(-1)!.usage?.completion_tokens).toBe(plain.usage?.completion_tokens)
  })

  it('serves /v1/models at the router path and /v1/completions, streamed or not', async () => {
    const models = await client(base).models.list()
    expect(models.data.map((m) => m.id)).toEqual([MODEL])
    const completion = await client(base).completions.create({ model: MODEL, prompt: 'Say hello', max_tokens: 5 })
    expect(completion.object).toBe('text_completion')
    expect(completion.choices[0]!.text.length).toBeGreaterThan(0)
    const streamed = await client(base).completions.create({ model: MODEL, prompt: 'Say hello', max_tokens: 5, stream: true })
    let text = ''
    for await (const chunk of streamed) text += chunk.choices[0]?.text ?? ''
    expect(text).toBe(completion.choices[0]!.text)
  })

  it('answers errors in OpenAI\'s shape beside the platform\'s own, which the client raises as typed errors', async () => {
    const wrongModel = client(`${base}/stable`).chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] })
    await expect(wrongModel).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    await expect(wrongModel).rejects.toMatchObject({ status: 404, code: 'OPT_NOT_FOUND', type: 'not_found_error' })
    await expect(client(`${base}/stable`, 'oir_not-a-token').models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError)
    const invalid = await p.http('POST', `${base}/v1/chat/completions`, { token: fleetToken, body: { messages: [] } })
    expect(invalid.status).toBe(400)
    expect(invalid.body).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'OPT_VALIDATION_FAILED' },
      code: 'OPT_VALIDATION_FAILED', message: expect.any(String), requestId: expect.any(String),
    })
  })
})
