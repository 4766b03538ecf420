/**
 * What a chat request and its answer weigh on the wire between the callers and the model server:
 * the bytes that cross clouds, and are billed as internet egress, when a deployment serves from a
 * cloud other than its callers'. The agents estimate egress with it and the twin bills it. Pure.
 */

/** ~4 characters, i.e. ~4 UTF-8 bytes, per token of English text (OpenAI's rule of thumb). */
export const BYTES_PER_TOKEN = 4
/** JSON envelope, headers and TLS framing of one chat request or response (assumption). */
export const MESSAGE_OVERHEAD_BYTES = 600

/** Gigabytes (10⁹ bytes, as clouds bill) that `messages` messages of `tokensPerMessage` tokens weigh. */
export function wireGb(messages: number, tokensPerMessage: number): number {
  return (messages * (tokensPerMessage * BYTES_PER_TOKEN + MESSAGE_OVERHEAD_BYTES)) / 1e9
}
