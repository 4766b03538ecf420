import { SignJWT, jwtVerify, errors as joseErrors } from 'jose'
import { randomBytes, createHash } from 'node:crypto'
import type { Clock } from '../clock.ts'

/** Who a user access token speaks for. */
export interface UserClaims {
  userId: string; role: 'admin' | 'customer'; customerId: string | null
  /** The user's token version at signing (`tv`); a token whose version is no longer current is revoked. */
  tokenVersion: number
}

/** Signs and verifies user access tokens (HS256 only; other algorithms are refused). */
export interface TokenService {
  sign(claims: UserClaims): Promise<{ token: string; expiresIn: number }>
  verify(token: string): Promise<UserClaims | null>
}

const ISSUER = 'optiinfra'
const AUDIENCE = 'optiinfra:user'

/** Creates the token service from the secret; expiry is judged on the wall clock the client lives on. */
export function createTokenService(secret: string, ttlSeconds: number, clock: Pick<Clock, 'now'> = { now: () => new Date() }): TokenService {
  const key = new TextEncoder().encode(secret)
  return {
    async sign(c) {
      const iat = Math.floor(clock.now().getTime() / 1000)
      const token = await new SignJWT({ role: c.role, cid: c.customerId, tv: c.tokenVersion })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(c.userId).setIssuer(ISSUER).setAudience(AUDIENCE)
        .setIssuedAt(iat).setExpirationTime(iat + ttlSeconds)
        .sign(key)
      return { token, expiresIn: ttlSeconds }
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE,
          currentDate: clock.now(),
        })
        const role = payload.role
        if ((role !== 'admin' && role !== 'customer') || typeof payload.sub !== 'string') return null
        if (!Number.isInteger(payload.tv)) return null
        return { userId: payload.sub, role, customerId: typeof payload.cid === 'string' ? payload.cid : null, tokenVersion: payload.tv as number }
      } catch (err) {
        if (err instanceof joseErrors.JOSEError) return null
        throw err
      }
    },
  }
}

/** A fresh random secret (for JWT signing or passwords printed once). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** Opaque agent/runtime tokens are stored only as this hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
