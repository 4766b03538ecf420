/**
 * Maps a served-model name as customers write it ("meta-llama/Llama-3-70B", "Qwen2.5-7B-Instruct")
 * to a ModelSpec: the closest preset of the same family and size, or a generic spec sized from
 * the name when no preset is close. The served name is kept, so metrics carry the customer's label.
 */
import { MODELS, type ModelId } from './models.ts'
import type { EngineConfig, ModelSpec } from './serving.ts'

type EngineQuantization = EngineConfig['quantization']

const FAMILIES: readonly ModelSpec['family'][] = ['llama', 'mistral', 'qwen', 'gemma']
/** A preset matches when its size is within 30% of the name's (7B ↔ 7.25B, 70B ↔ 70.6B, 72B ↔ 72.7B). */
const SIZE_TOLERANCE = 0.3

/** Family named in a model id, else 'other'. */
export function familyOf(name: string): ModelSpec['family'] {
  const lower = name.toLowerCase()
  return FAMILIES.find((f) => lower.includes(f)) ?? (lower.includes('mixtral') ? 'mistral' : 'other')
}

/** Parameter count in billions from a name ("…-70B", "8b-instruct", "Qwen3-4B"), if present. */
export function paramsFromName(name: string): number | undefined {
  const m = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)\s*b(?![a-z])/i.exec(name)
  return m?.[1] === undefined ? undefined : Number(m[1])
}

// "Llama-3.1-70B" → "3.1"; used only to prefer a preset of the same release among equals.
function versionOf(name: string): string | undefined {
  return /(?:llama|qwen|gemma)[-_ ]?(\d+(?:\.\d+)?)/i.exec(name)?.[1]
}

/** The ModelSpec for a served name, or an error message saying why it cannot be sized. */
export function resolveModel(name: string): { ok: true; model: ModelSpec; presetId: ModelId | null } | { ok: false; message: string } {
  const family = familyOf(name)
  const size = paramsFromName(name)
  if (size === undefined || !(size > 0)) return { ok: false, message: `cannot tell the size of model "${name}": include it as e.g. "-8B"` }
  const version = versionOf(name)
  let best: { id: ModelId; score: number } | null = null
  for (const [id, spec] of Object.entries(MODELS) as [ModelId, ModelSpec][]) {
    if (spec.family !== family) continue
    const dist = Math.abs(Math.log(spec.paramsB / size))
    if (dist > Math.log(1 + SIZE_TOLERANCE)) continue
    const score = dist + (version !== undefined && versionOf(spec.name) === version ? 0 : 0.01)
    if (!best || score < best.score) best = { id, score }
  }
  if (best) return { ok: true, model: { ...MODELS[best.id], name }, presetId: best.id }
  return { ok: true, model: { name, family, paramsB: size, contextLen: 8192 }, presetId: null }
}

/**
 * Weight quantization a checkpoint's name declares (Hugging Face conventions: "-FP8",
 * "-AWQ", "-GPTQ-Int4", "-quantized.w8a8"); 'none' when it declares none, which is what vLLM
 * serves such a checkpoint with unless started with --quantization.
 */
export function quantizationOf(name: string): EngineQuantization {
  const lower = name.toLowerCase()
  if (lower.includes('fp8')) return 'fp8'
  // the bit width a name states wins over the method's usual one (GPTQ is 4-bit unless "Int8")
  if (/int8|w8a8|w8a16|8bit/.test(lower)) return 'int8'
  if (/awq|gptq|int4|w4a16|4bit|nf4/.test(lower)) return 'int4'
  return 'none'
}
