import createError from '@fastify/error'

/**
 * The one error catalog. Every error a user can cause has a stable `OPT_<AREA>_<WHAT>` code, a
 * message template and an HTTP status; `docs/errors.md` documents each (a test keeps them in step).
 */
export const errors = {
  OPT_VALIDATION_FAILED: createError('OPT_VALIDATION_FAILED', '%s', 400),
  OPT_BAD_REQUEST: createError('OPT_BAD_REQUEST', '%s', 400),
  OPT_TEXT_INVALID: createError('OPT_TEXT_INVALID', 'Text refused: %s', 400),
  OPT_URI_TOO_LONG: createError('OPT_URI_TOO_LONG', 'A path parameter of %s is longer than the router accepts', 414),
  OPT_BODY_TOO_LARGE: createError('OPT_BODY_TOO_LARGE', 'Request body is larger than %s bytes', 413),
  OPT_UNSUPPORTED_MEDIA: createError('OPT_UNSUPPORTED_MEDIA', 'Unsupported content type %s', 415),
  OPT_AUTH_REQUIRED: createError('OPT_AUTH_REQUIRED', 'Authentication required', 401),
  OPT_AUTH_INVALID_TOKEN: createError('OPT_AUTH_INVALID_TOKEN', 'Token is invalid or expired', 401),
  OPT_AUTH_BAD_CREDENTIALS: createError('OPT_AUTH_BAD_CREDENTIALS', 'Invalid username or password', 401),
  OPT_AUTH_FORBIDDEN: createError('OPT_AUTH_FORBIDDEN', 'You do not have access to this resource', 403),
  OPT_AUTH_EMAIL_TAKEN: createError('OPT_AUTH_EMAIL_TAKEN', 'An account with this email already exists', 409),
  OPT_AUTH_WEAK_PASSWORD: createError('OPT_AUTH_WEAK_PASSWORD', 'Password must be at least %s characters and mix letters and digits', 400),
  OPT_AGENT_TOKEN_INVALID: createError('OPT_AGENT_TOKEN_INVALID', 'Agent token is invalid or revoked', 401),
  OPT_RATE_LIMITED: createError('OPT_RATE_LIMITED', 'Rate limit exceeded, retry in %s', 429),
  OPT_NOT_FOUND: createError('OPT_NOT_FOUND', '%s not found', 404),
  OPT_ROUTE_NOT_FOUND: createError('OPT_ROUTE_NOT_FOUND', 'Route %s not found', 404),
  OPT_CONFLICT: createError('OPT_CONFLICT', '%s', 409),
  OPT_STATE_INVALID: createError('OPT_STATE_INVALID', '%s', 409),
  OPT_SIMULATOR_ONLY: createError('OPT_SIMULATOR_ONLY', 'This operation is only available on the simulated cloud', 409),
  OPT_UNAVAILABLE: createError('OPT_UNAVAILABLE', '%s', 503),
  OPT_CATALOG_UNKNOWN_INSTANCE_TYPE: createError('OPT_CATALOG_UNKNOWN_INSTANCE_TYPE', 'Instance type %s is not in the %s price catalog', 400),
  OPT_FLEET_INVALID: createError('OPT_FLEET_INVALID', '%s', 400),
  OPT_INSTANCE_NOT_IDLE: createError('OPT_INSTANCE_NOT_IDLE', 'Instance %s is not idle: it serves deployment %s', 409),
  OPT_SLO_INVALID: createError('OPT_SLO_INVALID', 'SLO refused: %s', 400),
  OPT_GATE_INVALID: createError('OPT_GATE_INVALID', 'Gate refused: %s', 400),
  OPT_RECOMMENDATION_NOT_VALIDATED: createError('OPT_RECOMMENDATION_NOT_VALIDATED', 'Recommendation cannot be approved: %s', 409),
  OPT_RECOMMENDATION_STALE: createError('OPT_RECOMMENDATION_STALE', 'Recommendation is stale: %s', 409),
  OPT_RECOMMENDATION_SUPERSEDED: createError('OPT_RECOMMENDATION_SUPERSEDED', 'Recommendation is superseded: %s', 409),
  OPT_RECOMMENDATION_CHANGED: createError('OPT_RECOMMENDATION_CHANGED', 'Recommendation changed on re-validation, approve it again: %s', 409),
  OPT_RECOMMENDATION_ADVISORY: createError('OPT_RECOMMENDATION_ADVISORY', 'Recommendation is advisory, apply it yourself: %s', 409),
  OPT_CONSTRAINT_VIOLATED: createError('OPT_CONSTRAINT_VIOLATED', 'Refused by a customer constraint: %s', 409),
  OPT_OPTIMIZATION_NOT_ABORTABLE: createError('OPT_OPTIMIZATION_NOT_ABORTABLE', 'Optimization cannot be aborted: %s', 409),
  OPT_ONBOARDING_INVALID: createError('OPT_ONBOARDING_INVALID', '%s', 400),
  OPT_TASK_LEASE_LOST: createError('OPT_TASK_LEASE_LOST', 'Task %s is no longer held by this agent', 409),
  OPT_INGEST_BUSY: createError('OPT_INGEST_BUSY', 'Ingestion is at capacity, retry in %s s; nothing of this batch was stored', 429),
  OPT_ACTUATOR_INVALID: createError('OPT_ACTUATOR_INVALID', 'Actuator refused: %s', 400),
  OPT_ACTUATOR_UNREACHABLE: createError('OPT_ACTUATOR_UNREACHABLE', 'The deployment repository could not be written: %s', 422),
  OPT_TELEMETRY_SOURCE_INVALID: createError('OPT_TELEMETRY_SOURCE_INVALID', 'Telemetry source refused: %s', 400),
  OPT_BILL_INVALID: createError('OPT_BILL_INVALID', 'Bill refused, nothing imported: %s', 400),
  OPT_REMOTE_WRITE_INVALID: createError('OPT_REMOTE_WRITE_INVALID', 'Remote-write body refused: %s', 400),
} as const

/** A catalog code. */
export type ErrorCode = keyof typeof errors

/** Internal failures that are our bugs, not the user's: reported as 500 "Internal error". */
export const INTERNAL_ERROR_CODE = 'OPT_INTERNAL'
