import type { Deps } from './deps.ts'
import { ensureAdmin, signup } from './auth/signup.ts'
import { findUserByEmail } from './auth/store.ts'
import { randomSecret } from './auth/tokens.ts'
import { seedDemoCustomers } from './cloud/index.ts'

/** Logins created at start-up, printed once by `main` (passwords are never stored in clear). */
export interface Credentials { email: string; password: string; role: 'admin' | 'customer'; customerId?: string }

export const DEMO_ADMIN_EMAIL = 'admin@optiinfra.local'
export const DEMO_CUSTOMER_EMAIL = 'demo@acme-ai.example'

/**
 * Creates the first admin from configuration and, in demo mode, a demo admin and customer with
 * random passwords, only when they do not exist yet (a restart keeps the first passwords).
 */
export async function bootstrapAccounts(deps: Deps): Promise<Credentials[]> {
  const created: Credentials[] = []
  const { config, db, clock } = deps
  if (config.adminEmail && config.adminPassword) await ensureAdmin(db, config.adminEmail, config.adminPassword)
  if (!config.demo) return created
  if (!config.adminEmail && !(await findUserByEmail(db, DEMO_ADMIN_EMAIL))) {
    const password = randomSecret(12)
    await ensureAdmin(db, DEMO_ADMIN_EMAIL, password)
    created.push({ email: DEMO_ADMIN_EMAIL, password, role: 'admin' })
  }
  if (!(await findUserByEmail(db, DEMO_CUSTOMER_EMAIL))) {
    const password = `${randomSecret(12)}7`
    const { customerId } = await signup(db, clock, { email: DEMO_CUSTOMER_EMAIL, company_name: 'Acme AI (demo)', password, plan: 'pro' })
    created.push({ email: DEMO_CUSTOMER_EMAIL, password, role: 'customer', customerId })
  }
  await seedDemoCustomers(deps, DEMO_CUSTOMER_EMAIL)
  return created
}
