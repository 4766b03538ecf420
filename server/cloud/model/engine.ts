/**
 * Per-replica physics of a vLLM engine: what fits in GPU memory, how large the KV cache is,
 * and how long one scheduler step takes (roofline: the slower of reading the weights + KV
 * from HBM and doing the matmuls, plus a fixed per-step overhead). Pure functions.
 */
import { gpuSpec, type GpuSpec } from '../catalog/catalog.ts'
import type { EngineConfig, ModelSpec } from './serving.ts'

/** Weight format of the served model. */
export type Quantization = EngineConfig['quantization']

const GIB = 1024 ** 3

/**
 * Bytes per parameter and effective matmul speed-up per weight format. FP8/INT8 tensor cores
 * have 2× the BF16 peak, but attention and epilogues stay 16-bit: 1.6 reproduces vLLM's
 * "up to 1.6× throughput" for FP8 (peers §4.1) in the compute-bound regime. INT8 W8A8 sits just
 * below (extra quantize kernels, assumption). INT4 W4A16 keeps 16-bit activations and pays
 * ~15% for dequantization, so it wins when memory-bound and loses when compute-bound, as
 * Kurtic et al. found (peers §5.2).
 */
const QUANT: Readonly<Record<Quantization, { bytesPerParam: number; computeMultiplier: number }>> = {
  none: { bytesPerParam: 2, computeMultiplier: 1 },
  fp8: { bytesPerParam: 1, computeMultiplier: 1.6 },
  int8: { bytesPerParam: 1, computeMultiplier: 1.5 },
  int4: { bytesPerParam: 0.5, computeMultiplier: 0.85 },
}

/** Share of datasheet HBM bandwidth decode kernels reach (typical 70–80%). */
const BANDWIDTH_EFFICIENCY = 0.75
/** Model FLOPs utilisation of batched prefill/decode matmuls; see docs/simulator.md calibration. */
const COMPUTE_EFFICIENCY = 0.6
/** CPU scheduling + kernel launches per step with CUDA graphs (vLLM ≥ 0.6 cut this to a few ms). */
export const STEP_OVERHEAD_MS = 2.5
/** Activations, CUDA graphs and allocator slack per GPU, calibrated to Qwen3-4B on L4 = 83,488 KV tokens (peers §4.1). */
const ACTIVATION_RESERVE_GIB = 1.2
/** Efficiency lost per doubling of tensor parallelism to all-reduces (NVLink vs PCIe-only boards). */
const TP_LOSS_PER_DOUBLING = { nvlink: 0.08, pcie: 0.2 } as const
/**
 * Fallback KV bytes/token when a ModelSpec has no kvBytesPerToken: a power law through
 * Llama-3-8B (128 KiB) and Llama-3-70B (320 KiB), both GQA with 8 KV heads.
 */
const KV_FIT = { coefficientBytes: 53.165 * 1024, exponent: 0.42243 }

/** Memory fit and speed constants of one replica (TP GPUs running one engine). */
export interface ReplicaPlan {
  fits: boolean
  reason?: string
  gpu: GpuSpec
  effectiveQuantization: Quantization
  warnings: string[]
  replicasPerInstance: number
  weightBytes: number
  kvBytesPerToken: number
  kvCapacityTokens: number
  /** Effective bytes per millisecond the replica streams from HBM. */
  bytesPerMs: number
  /** Milliseconds of matmul time per token processed (2·params FLOPs). */
  msPerToken: number
}

/** FP8 W8A8 needs Ada/Hopper/Blackwell; elsewhere vLLM falls back and we model it as FP16. */
export function effectiveQuantization(q: Quantization, gpu: GpuSpec): Quantization {
  return q === 'fp8' && !gpu.fp8 ? 'none' : q
}

/** 16-bit KV bytes per token: the model's own figure, else the GQA power-law estimate. */
export function kvBytesPerToken16(model: ModelSpec): number {
  return model.kvBytesPerToken ?? KV_FIT.coefficientBytes * model.paramsB ** KV_FIT.exponent
}

function tpEfficiency(gpu: GpuSpec, tp: number): number {
  return 1 / (1 + TP_LOSS_PER_DOUBLING[gpu.interconnect] * Math.log2(tp))
}

function memoryPlan(model: ModelSpec, config: EngineConfig, gpu: GpuSpec, quant: Quantization) {
  const tp = config.tensorParallelSize
  const weightBytes = model.paramsB * 1e9 * QUANT[quant].bytesPerParam
  const usableBytes = tp * (gpu.memoryGiB * config.gpuMemoryUtilization - ACTIVATION_RESERVE_GIB) * GIB
  const kvBytesPerToken = kvBytesPerToken16(model) * (config.kvCacheDtype === 'fp8' ? 0.5 : 1)
  const kvCapacityTokens = Math.max(0, Math.floor((usableBytes - weightBytes) / kvBytesPerToken))
  return { weightBytes, usableBytes, kvBytesPerToken, kvCapacityTokens }
}

function fitProblem(model: ModelSpec, config: EngineConfig, gpusPerInstance: number, mem: ReturnType<typeof memoryPlan>): string | undefined {
  const tp = config.tensorParallelSize
  if (!Number.isInteger(tp) || tp < 1) return `tensorParallelSize must be a positive integer, got ${tp}`
  if (tp > gpusPerInstance) return `tensorParallelSize ${tp} exceeds ${gpusPerInstance} GPUs per instance`
  if (mem.weightBytes > mem.usableBytes) {
    return `weights need ${(mem.weightBytes / GIB).toFixed(1)} GiB but ${tp} GPU(s) offer ${(mem.usableBytes / GIB).toFixed(1)} GiB`
  }
  if (mem.kvCapacityTokens < Math.min(model.contextLen, 2048)) return `KV cache holds only ${mem.kvCapacityTokens} tokens`
  return undefined
}

function planWarnings(model: ModelSpec, config: EngineConfig, gpu: GpuSpec, gpusPerInstance: number, kvTokens: number): string[] {
  const warnings: string[] = []
  if (config.quantization === 'fp8' && !gpu.fp8) {
    warnings.push(`fp8 weights unsupported on ${gpu.gpuType} (${gpu.architecture}): served as fp16; do not recommend FP8 here`)
  }
  if (gpusPerInstance % config.tensorParallelSize !== 0) {
    warnings.push(`${gpusPerInstance % config.tensorParallelSize} GPU(s) per instance idle: not a multiple of tensorParallelSize`)
  }
  if (kvTokens < model.contextLen) warnings.push(`KV cache (${kvTokens} tokens) smaller than contextLen ${model.contextLen}`)
  return warnings
}

/** Decides fit and sizes one replica (TP GPUs) of `model` on `gpuType` under `config`. */
export function planReplica(model: ModelSpec, config: EngineConfig, gpuType: string, gpusPerInstance: number): ReplicaPlan {
  const gpu = gpuSpec(gpuType)
  const quant = effectiveQuantization(config.quantization, gpu)
  const mem = memoryPlan(model, config, gpu, quant)
  const tp = Math.max(1, config.tensorParallelSize)
  const eff = tpEfficiency(gpu, tp)
  const flopsPerMs = tp * gpu.bf16Tflops * 1e9 * COMPUTE_EFFICIENCY * QUANT[quant].computeMultiplier * eff
  const reason = fitProblem(model, config, gpusPerInstance, mem)
  const plan: ReplicaPlan = {
    fits: reason === undefined, gpu, effectiveQuantization: quant,
    warnings: planWarnings(model, config, gpu, gpusPerInstance, mem.kvCapacityTokens),
    replicasPerInstance: reason === undefined ? Math.floor(gpusPerInstance / tp) : 0,
    weightBytes: mem.weightBytes, kvBytesPerToken: mem.kvBytesPerToken, kvCapacityTokens: mem.kvCapacityTokens,
    bytesPerMs: tp * gpu.memBandwidthGBs * 1e6 * BANDWIDTH_EFFICIENCY * eff,
    msPerToken: (2 * model.paramsB * 1e9) / flopsPerMs,
  }
  if (reason !== undefined) plan.reason = reason
  return plan
}

/** Time to stream weights plus `batch` sequences' KV (`contextTokens` each) from HBM, in ms. */
export function memoryMs(plan: ReplicaPlan, batch: number, contextTokens: number): number {
  return (plan.weightBytes + batch * contextTokens * plan.kvBytesPerToken) / plan.bytesPerMs
}

/** One scheduler step that processes `tokens` tokens for `batch` running sequences (roofline). */
export function stepMs(plan: ReplicaPlan, batch: number, contextTokens: number, tokens: number): number {
  return STEP_OVERHEAD_MS + Math.max(memoryMs(plan, batch, contextTokens), tokens * plan.msPerToken)
}

/** Pure decode step (no prefill) for `batch` sequences at `contextTokens` each: the ITL floor. */
export function decodeStepMs(plan: ReplicaPlan, batch: number, contextTokens: number): number {
  return stepMs(plan, batch, contextTokens, batch)
}
