import { describe, expect, it } from 'vitest'
import { outboundUrlProblem } from './outbound-url.ts'

describe('URLs a customer makes the server call', () => {
  it('refuses private and loopback hosts, credentials and other schemes unless the operator allows private ones', () => {
    const strict = { allowPrivate: false, httpsOnly: false }
    expect(outboundUrlProblem('http://prometheus.example.com:9090', strict)).toBeNull()
    for (const bad of ['http://127.0.0.1:9090', 'http://10.0.0.5', 'http://[::1]:9090', 'http://localhost', 'http://user:pw@prom.example.com', 'ftp://prom.example.com', 'nonsense']) {
      expect(outboundUrlProblem(bad, strict), bad).not.toBeNull()
    }
    expect(outboundUrlProblem('http://127.0.0.1:9090', { allowPrivate: true, httpsOnly: false })).toBeNull()
    expect(outboundUrlProblem('http://hooks.example.com', { allowPrivate: false, httpsOnly: true })).toMatch(/https/)
  })
})
