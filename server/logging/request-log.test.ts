import { describe, expect, it } from 'vitest'
import { requestLogLevel } from './request-log.ts'
import { usePrettyLogs } from './logger.ts'

describe('request log levels', () => {
  it('logs the platform\'s own traffic at debug and people\'s requests at info', () => {
    expect(requestLogLevel({ url: '/sim/deployments/d1/v1/chat/completions', principal: null })).toBe('debug')
    expect(requestLogLevel({ url: '/health', principal: null })).toBe('debug')
    expect(requestLogLevel({ url: '/telemetry/samples', principal: { kind: 'runtime', customerId: 'c', tokenId: 't' } })).toBe('debug')
    expect(requestLogLevel({ url: '/orchestrator/agents', principal: { kind: 'agent', tokenId: 't' } })).toBe('debug')
    expect(requestLogLevel({ url: '/customers/c/recommendations', principal: { kind: 'user', userId: 'u', role: 'customer', customerId: 'c' } })).toBe('info')
    expect(requestLogLevel({ url: '/simulations', principal: null })).toBe('info')
  })

  it('writes for people on a terminal and JSON otherwise, unless told', () => {
    expect(usePrettyLogs('auto', true)).toBe(true)
    expect(usePrettyLogs('auto', false)).toBe(false)
    expect(usePrettyLogs('json', true)).toBe(false)
    expect(usePrettyLogs('pretty', false)).toBe(true)
  })
})
