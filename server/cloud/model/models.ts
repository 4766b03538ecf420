/**
 * Reference model presets for the twin and its tests. Parameter counts and KV geometry
 * (layers × KV heads × head dim) are from each model's published Hugging Face config.json;
 * kvBytesPerToken = layers × kvHeads × headDim × 2 (K and V) × 2 bytes (FP16/BF16).
 */
import type { ModelSpec } from './serving.ts'

/** KV bytes per token at 16-bit for a GQA model: layers × kvHeads × headDim × 2 × 2. */
function kv(layers: number, kvHeads: number, headDim: number): number {
  return layers * kvHeads * headDim * 4
}

/** Short ids of the preset models. */
export type ModelId =
  | 'llama-3-8b' | 'llama-3.1-8b' | 'llama-3-70b' | 'llama-3.1-70b' | 'mistral-7b'
  | 'qwen2.5-7b' | 'qwen2.5-72b' | 'qwen3-4b' | 'gemma-2-9b'

/** Well-known open models, keyed by a short id, with their real KV-cache footprint. */
export const MODELS: Readonly<Record<ModelId, ModelSpec>> = {
  'llama-3-8b': { name: 'meta-llama/Meta-Llama-3-8B-Instruct', family: 'llama', paramsB: 8.03, contextLen: 8192, kvBytesPerToken: kv(32, 8, 128) },
  'llama-3.1-8b': { name: 'meta-llama/Llama-3.1-8B-Instruct', family: 'llama', paramsB: 8.03, contextLen: 131072, kvBytesPerToken: kv(32, 8, 128) },
  'llama-3-70b': { name: 'meta-llama/Meta-Llama-3-70B-Instruct', family: 'llama', paramsB: 70.6, contextLen: 8192, kvBytesPerToken: kv(80, 8, 128) },
  'llama-3.1-70b': { name: 'meta-llama/Llama-3.1-70B-Instruct', family: 'llama', paramsB: 70.6, contextLen: 131072, kvBytesPerToken: kv(80, 8, 128) },
  'mistral-7b': { name: 'mistralai/Mistral-7B-Instruct-v0.3', family: 'mistral', paramsB: 7.25, contextLen: 32768, kvBytesPerToken: kv(32, 8, 128) },
  'qwen2.5-7b': { name: 'Qwen/Qwen2.5-7B-Instruct', family: 'qwen', paramsB: 7.62, contextLen: 32768, kvBytesPerToken: kv(28, 4, 128) },
  'qwen2.5-72b': { name: 'Qwen/Qwen2.5-72B-Instruct', family: 'qwen', paramsB: 72.7, contextLen: 32768, kvBytesPerToken: kv(80, 8, 128) },
  'qwen3-4b': { name: 'Qwen/Qwen3-4B', family: 'qwen', paramsB: 4.02, contextLen: 32768, kvBytesPerToken: kv(36, 8, 128) },
  'gemma-2-9b': { name: 'google/gemma-2-9b-it', family: 'gemma', paramsB: 9.24, contextLen: 8192, kvBytesPerToken: kv(42, 8, 256) },
}
