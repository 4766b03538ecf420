import { describe, expect, it } from 'vitest'
import { operationIdOf, summaryOf } from './openapi.ts'

describe('OpenAPI defaults', () => {
  it('names an operation from its method and path, uniquely per route', () => {
    expect(operationIdOf('GET', '/customers/:id/audit')).toBe('getCustomersIdAudit')
    expect(operationIdOf('POST', '/sim/deployments/:deploymentId/v1/chat/completions')).toBe('postSimDeploymentsDeploymentIdV1ChatCompletions')
    expect(operationIdOf('GET', '/customers/:id')).not.toBe(operationIdOf('GET', '/customers'))
  })

  it('summarizes from the description\'s first sentence, else from the verb and the resource words', () => {
    expect(summaryOf('GET', '/x', 'Lists things. More detail here.')).toBe('Lists things.')
    expect(summaryOf('DELETE', '/customers/:id/agent-tokens/:tokenId')).toBe('Delete customers › agent tokens')
    expect(summaryOf('GET', '/')).toBe('Read root')
  })
})
