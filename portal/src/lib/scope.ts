import { useCallback } from 'react'
import { useSearchParams } from 'react-router-dom'
import { useSession } from '../api/session.ts'

const ADMIN_CHOICE = 'optiinfra.admin.customer'

/**
 * Which customer the pages show. A `?customer=` parameter wins (an admin viewing a tenant, or a
 * shared link: the API answers 403 if the caller may not see it); otherwise the user's own
 * customer; for an admin without one, the customer last picked in the header.
 */
export function useCustomerId(): string | null {
  const session = useSession()
  const [params] = useSearchParams()
  const fromUrl = params.get('customer')
  if (fromUrl) return fromUrl
  if (session?.customerId) return session.customerId
  if (session?.role === 'admin') return localStorage.getItem(ADMIN_CHOICE)
  return null
}

/** Remembers the customer an admin picked. */
export function setAdminCustomer(id: string | null): void {
  if (id) localStorage.setItem(ADMIN_CHOICE, id)
  else localStorage.removeItem(ADMIN_CHOICE)
}

/** Builds in-app links that keep the `?customer=` scope of the current page. */
export function useScopedHref(): (path: string) => string {
  const [params] = useSearchParams()
  const customer = params.get('customer')
  return useCallback((path: string) => {
    if (!customer) return path
    return `${path}${path.includes('?') ? '&' : '?'}customer=${encodeURIComponent(customer)}`
  }, [customer])
}
