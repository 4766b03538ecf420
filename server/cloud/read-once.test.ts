import { describe, expect, it } from 'vitest'
import { readOnce } from './read-once.ts'

describe('readOnce', () => {
  it('lists a customer once per view and each customer apart, passing every other call through', async () => {
    const calls: string[] = []
    const cloud = {
      listResources: async (customerId: string) => { calls.push(customerId); return { instances: [], deployments: [] } },
      getPrices: async () => { calls.push('prices'); return [] },
    }
    const view = readOnce(cloud)
    await Promise.all([view.listResources('a'), view.listResources('a'), view.listResources('b')])
    await view.getPrices()
    await view.getPrices()
    expect(calls).toEqual(['a', 'b', 'prices', 'prices'])
    await readOnce(cloud).listResources('a')
    expect(calls.filter((c) => c === 'a')).toHaveLength(2)
  })
})
