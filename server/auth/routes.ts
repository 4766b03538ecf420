import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginBody, LoginReply, SignupBody, SignupReply } from '../../api/accounts.ts'
import { errorResponses } from '../../api/common.ts'
import { login, signup } from './signup.ts'
import type { Deps } from '../deps.ts'
import { addressKey } from '../http/limits.ts'

/** Signup and login; rate limited per IP because they are what password guessing targets. */
export const authRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  // keyed on the address even when a valid token rides along, or a token would buy fresh guesses
  const rateLimit = { max: deps.config.authRateLimitPerMinute, timeWindow: '1 minute', keyGenerator: addressKey }
  app.post('/auth/signup', { config: { rateLimit }, schema: { tags: ['auth'], body: SignupBody, response: { 201: SignupReply, ...errorResponses } } }, async (req, reply) => {
    const { customerId, userId } = await signup(deps.db, deps.clock, req.body)
    return reply.status(201).send({ success: true as const, customer_id: customerId, user_id: userId })
  })
  app.post('/auth/login', { config: { rateLimit }, schema: { tags: ['auth'], body: LoginBody, response: { 200: LoginReply, ...errorResponses } } }, async (req) => {
    return login(deps.db, deps.tokens, req.body.username, req.body.password)
  })
}
