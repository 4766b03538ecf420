/**
 * The engine configuration an operator would start a model with on a GPU instance: vLLM's
 * defaults for the GPU at the smallest tensor-parallel size that fits. Used where the engine's
 * flags are not known: a fleet registered without them, or discovered through its telemetry.
 */
import { gpuSpec } from '../catalog/catalog.ts'
import { planReplica } from './engine.ts'
import { vllmDefaultsFor, type EngineConfig, type ModelSpec } from './serving.ts'

/** KV room operators give a replica: one request of the model's context, capped at 32K (longer contexts are usually limited with --max-model-len). */
const KV_ROOM_TOKENS = 32_768

/** Each tensor-parallel size that divides the instance's GPUs and at which the model fits, smallest first, with its replica plan. */
export function fittingPlans(model: ModelSpec, base: EngineConfig, gpuType: string, gpuCount: number): { tp: number; plan: ReturnType<typeof planReplica> }[] {
  gpuSpec(gpuType)
  return [...Array(gpuCount).keys()].map((i) => i + 1).filter((tp) => gpuCount % tp === 0)
    .map((tp) => ({ tp, plan: planReplica(model, { ...base, tensorParallelSize: tp }, gpuType, gpuCount) }))
    .filter((p) => p.plan.fits)
}

/**
 * The tensor-parallel size an operator would pick: the smallest divisor of the GPU count at which
 * the model fits with KV room for one full-context request (vLLM refuses to start otherwise);
 * failing that, the smallest at which it fits at all.
 */
export function smallestFittingTp(model: ModelSpec, base: EngineConfig, gpuType: string, gpuCount: number): number | undefined {
  const plans = fittingPlans(model, base, gpuType, gpuCount)
  const room = Math.min(model.contextLen, KV_ROOM_TOKENS)
  return (plans.find((p) => p.plan.kvCapacityTokens >= room) ?? plans[0])?.tp
}

/** vLLM's defaults for the GPU at the smallest fitting tensor-parallel size; undefined when the model fits nowhere on the instance. */
export function operatorDefaultConfig(model: ModelSpec, gpuType: string, gpuCount: number): EngineConfig | undefined {
  const base = vllmDefaultsFor(gpuType)
  const tp = smallestFittingTp(model, base, gpuType, gpuCount)
  return tp === undefined ? undefined : { ...base, tensorParallelSize: tp }
}
