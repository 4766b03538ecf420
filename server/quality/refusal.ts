/**
 * An endpoint that refuses to answer because it is overloaded (HTTP 503 or 429) or does not answer
 * in time has given its user no answer: for quality that is a wrong answer of that group, not a
 * missing measurement. Counting it so lets an overloaded deployment's scale-out be validated and
 * canaried (issue 10 item 8): the overloaded stable group is measured as it serves, refusals
 * included, instead of every probe of it being discarded. Other failures (a 500, a reset
 * connection) stay failures: they say nothing about what users are served.
 */

/** HTTP statuses that mean "too busy to answer". */
export const OVERLOAD_STATUSES: readonly number[] = [429, 503]

/** A group refused a prompt for overload. */
export class OverloadRefusal extends Error {
  constructor(readonly status: number, url: string) {
    super(`HTTP ${status} from ${url} (overloaded)`)
    this.name = 'OverloadRefusal'
  }
}

/** Throws the right error for a non-OK answer: an overload refusal, or a plain failure. */
export function refusalOrFailure(status: number, url: string): Error {
  return OVERLOAD_STATUSES.includes(status) ? new OverloadRefusal(status, url) : new Error(`HTTP ${status} from ${url}`)
}

/** Whether a failed ask counts as the group's wrong answer (overload refusal or time-out). */
export function isRefusal(err: unknown): boolean {
  return err instanceof OverloadRefusal || (err instanceof Error && err.name === 'TimeoutError')
}
