import type { CloudProvider } from './provider.ts'

/**
 * A view of the provider for one request: each customer's resources are listed once and shared by
 * every reader of that request (the dashboard's spend, run-rate and SLO panels each need the fleet).
 * A view lives as long as the request that made it, so nothing it holds goes stale.
 */
export function readOnce<P extends Pick<CloudProvider, 'listResources'>>(cloud: P): P {
  const listed = new Map<string, ReturnType<CloudProvider['listResources']>>()
  return new Proxy(cloud, {
    get(target, prop, receiver) {
      if (prop !== 'listResources') return Reflect.get(target, prop, receiver)
      return (customerId: string) => {
        if (!listed.has(customerId)) listed.set(customerId, target.listResources(customerId))
        return listed.get(customerId)!
      }
    },
  })
}
