import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { CreateCustomerBody, Customer, CustomerEnvironment, PatchCustomerBody } from '../../api/accounts.ts'
import { IdParams, errorResponses } from '../../api/common.ts'
import { errors } from '../errors.ts'
import { actorOf, requireAdmin, requireCustomerAccess, requireUser } from '../http/auth.ts'
import { getCustomer, insertCustomer, listCustomers, updateCustomer } from './store.ts'
import { recordAudit } from '../audit/store.ts'
import { listUsersOfCustomer } from '../auth/store.ts'
import type { Deps } from '../deps.ts'

/** Customers (tenants): admins manage all, a customer sees and edits only its own. */
export const customerRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  app.post('/customers', { schema: { tags: ['customers'], body: CreateCustomerBody, response: { 201: Customer, ...errorResponses } } }, async (req, reply) => {
    const admin = requireAdmin(req)
    const customer = await db.tx(async (tx) => {
      const c = await insertCustomer(tx, { ...req.body, plan: req.body.plan ?? 'starter' })
      await recordAudit(tx, clock, { customerId: c.id, actor: actorOf(admin), action: 'customer:created', subjectType: 'customer', subjectId: c.id })
      return c
    })
    return reply.status(201).send(customer)
  })

  app.get('/customers', { schema: { tags: ['customers'], response: { 200: Type.Array(Customer), ...errorResponses } } }, async (req) => {
    const user = requireUser(req)
    return listCustomers(db, user.role === 'admin' ? null : user.customerId)
  })

  app.get('/customers/:id', { schema: { tags: ['customers'], params: IdParams, response: { 200: Customer, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const c = await getCustomer(db, req.params.id)
    if (!c) throw new errors.OPT_NOT_FOUND('Customer')
    return c
  })

  app.patch('/customers/:id', { schema: { tags: ['customers'], params: IdParams, body: PatchCustomerBody, response: { 200: Customer, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.params.id)
    return db.tx(async (tx) => {
      const c = await updateCustomer(tx, req.params.id, req.body)
      if (!c) throw new errors.OPT_NOT_FOUND('Customer')
      await recordAudit(tx, clock, { customerId: c.id, actor: actorOf(user), action: 'customer:updated', subjectType: 'customer', subjectId: c.id, detail: req.body })
      return c
    })
  })

  // the portal says on every page when a fleet is simulated and how fleet time relates to wall time
  app.get('/customers/:id/environment', { schema: { tags: ['customers'], params: IdParams, response: { 200: CustomerEnvironment, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    if (!(await getCustomer(db, req.params.id))) throw new errors.OPT_NOT_FOUND('Customer')
    const scale = Number.isFinite(clock.scale) ? clock.scale : 1
    return { simulated: deps.cloud.kind === 'simulator', provider: deps.cloud.kind, time_scale: scale, fleet_time: clock.now().toISOString(), wall_time: new Date().toISOString() }
  })

  app.get('/customers/:id/users', { schema: { tags: ['customers'], params: IdParams } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return listUsersOfCustomer(db, req.params.id)
  })
}
