import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { LoginBody, LoginReply, PatchUserBody, SignupBody, SignupReply, UserView } from '../../api/accounts.ts'
import { errorResponses, IdParams } from '../../api/common.ts'
import { login, signup } from './signup.ts'
import type { Deps } from '../deps.ts'
import { addressKey } from '../http/limits.ts'
import { actorOf, requireAdmin, requireUser } from '../http/auth.ts'
import { deleteUser, logout, setUserDisabled } from './users.ts'

/** Signup, login, logout and user administration; signup and login are rate limited per IP because they are what password guessing targets. */
export const authRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  // keyed on the address even when a valid token rides along, or a token would buy fresh guesses
  const rateLimit = { max: deps.config.authRateLimitPerMinute, timeWindow: '1 minute', keyGenerator: addressKey }
  app.post('/auth/signup', { config: { rateLimit }, schema: { tags: ['auth'], summary: 'Sign up a customer and its first user', security: [], body: SignupBody, response: { 201: SignupReply, ...errorResponses } } }, async (req, reply) => {
    const { customerId, userId } = await signup(deps.db, deps.clock, req.body)
    return reply.status(201).send({ success: true as const, customer_id: customerId, user_id: userId })
  })
  app.post('/auth/login', { config: { rateLimit }, schema: { tags: ['auth'], summary: 'Log in and receive a bearer token', security: [], body: LoginBody, response: { 200: LoginReply, ...errorResponses } } }, async (req) => {
    return login(deps.db, deps.tokens, req.body.username, req.body.password)
  })
  app.post('/auth/logout', { schema: { tags: ['auth'], response: { 200: Type.Object({ logged_out: Type.Literal(true) }), ...errorResponses } } }, async (req) => {
    const user = requireUser(req)
    await logout(deps.db, deps.live, deps.clock, user.userId, user.customerId)
    return { logged_out: true as const }
  })
  app.patch('/users/:id', { schema: { tags: ['auth'], params: IdParams, body: PatchUserBody, response: { 200: UserView, ...errorResponses } } }, async (req) => {
    const admin = requireAdmin(req)
    return setUserDisabled(deps.db, deps.live, deps.clock, { userId: admin.userId, label: actorOf(admin) }, req.params.id, req.body.disabled)
  })
  app.delete('/users/:id', { schema: { tags: ['auth'], params: IdParams, response: { 200: Type.Object({ deleted: Type.Literal(true) }), ...errorResponses } } }, async (req) => {
    const admin = requireAdmin(req)
    await deleteUser(deps.db, deps.live, deps.clock, { userId: admin.userId, label: actorOf(admin) }, req.params.id)
    return { deleted: true as const }
  })
}
