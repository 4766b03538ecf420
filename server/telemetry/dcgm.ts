/**
 * Per-GPU signals from NVIDIA dcgm-exporter metrics (ecosystem-formats §2.1). Every field is
 * optional on the wire (exporter versions and counter CSVs differ), so each output field is
 * filled only from what the scrape has.
 */
import type { MetricFamily, Sample } from './prometheus.ts'

/** One GPU (or MIG instance) as the optimizer sees it. */
export interface GpuSignal {
  /** GPU index on its host (`gpu` label). */
  gpu: string
  uuid?: string
  modelName?: string
  hostname?: string
  /** MIG instance, when the exporter reports per-instance series. */
  migInstanceId?: string
  migProfile?: string
  /** Kubernetes attribution, when the exporter runs with pod mapping. */
  namespace?: string
  pod?: string
  container?: string
  /** 0..1; see UTILIZATION_SOURCE for which metric is used. */
  utilization: number
  utilizationSource?: 'gr_engine_active' | 'gpu_util'
  memoryUsedMiB?: number
  memoryFreeMiB?: number
  powerW?: number
  tempC?: number
}

/** Result of deriveGpuSignals, GPUs sorted by host then index. */
export interface GpuSignals {
  gpus: GpuSignal[]
}

// Old exporters printed DCGM's "blank" sentinels (around 9.22e18) instead of skipping a value.
const BLANK_THRESHOLD = 9.2e18

/**
 * Utilization prefers DCGM_FI_PROF_GR_ENGINE_ACTIVE (0–1, fraction of time the graphics/compute
 * engine was busy) over DCGM_FI_DEV_GPU_UTIL (0–100, % of the sample period in which *any*
 * kernel ran): one tiny kernel keeps GPU_UTIL at 100% while the GPU is mostly idle, which would
 * make the optimizer think a lightly loaded GPU is saturated. GPU_UTIL is the fallback because
 * profiling metrics are not enabled everywhere (older exporters ship them only in
 * dcp-metrics-included.csv, and they are unavailable on some GPUs and under vGPU).
 */
export const UTILIZATION_SOURCE = ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_DEV_GPU_UTIL'] as const

type NumericField = 'memoryUsedMiB' | 'memoryFreeMiB' | 'powerW' | 'tempC'

const NUMERIC_FIELDS: ReadonlyMap<string, NumericField> = new Map([
  ['DCGM_FI_DEV_FB_USED', 'memoryUsedMiB'],
  ['DCGM_FI_DEV_FB_FREE', 'memoryFreeMiB'],
  ['DCGM_FI_DEV_POWER_USAGE', 'powerW'],
  ['DCGM_FI_DEV_GPU_TEMP', 'tempC'],
])

interface Accumulator {
  signal: GpuSignal
  grEngineActive?: number
  gpuUtilPercent?: number
}

/** Derives per-GPU utilization, memory, power and temperature from one DCGM scrape. */
export function deriveGpuSignals(families: readonly MetricFamily[]): GpuSignals {
  const byGpu = new Map<string, Accumulator>()
  for (const family of families) {
    for (const sample of family.samples) {
      if (!sample.name.startsWith('DCGM_FI_') || !usable(sample.value)) continue
      const gpu = sample.labels.gpu
      if (gpu === undefined) continue
      const key = gpuKey(sample.labels)
      let acc = byGpu.get(key)
      if (acc === undefined) {
        acc = { signal: { gpu, utilization: 0 } }
        byGpu.set(key, acc)
      }
      fillIdentity(acc.signal, sample.labels)
      record(acc, sample)
    }
  }
  const gpus = [...byGpu.values()].map(finish)
  gpus.sort((a, b) => (a.hostname ?? '').localeCompare(b.hostname ?? '') || Number(a.gpu) - Number(b.gpu) || (a.migInstanceId ?? '').localeCompare(b.migInstanceId ?? ''))
  return { gpus }
}

function usable(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) < BLANK_THRESHOLD
}

// A GPU is its host + UUID (index as fallback) + MIG instance. Pod labels are deliberately not
// part of it: the exporter adds them to some series of a GPU and not others.
function gpuKey(labels: Record<string, string>): string {
  const host = labels.Hostname ?? labels.hostname ?? ''
  const id = labels.UUID ?? labels.uuid ?? `#${labels.gpu ?? ''}`
  return JSON.stringify([host, id, labels.GPU_I_ID ?? ''])
}

// `UUID`/`Hostname` are the released spellings; `uuid` (--use-old-namespace) and `hostname`
// (main since 2026-05) are accepted too. Empty strings mean "not attributed" on some versions.
function fillIdentity(signal: GpuSignal, labels: Record<string, string>): void {
  const set = <K extends keyof GpuSignal>(field: K, value: string | undefined): void => {
    if (value !== undefined && value !== '' && signal[field] === undefined) signal[field] = value as GpuSignal[K]
  }
  set('uuid', labels.UUID ?? labels.uuid)
  set('modelName', labels.modelName)
  set('hostname', labels.Hostname ?? labels.hostname)
  set('migInstanceId', labels.GPU_I_ID)
  set('migProfile', labels.GPU_I_PROFILE)
  set('namespace', labels.namespace)
  set('pod', labels.pod)
  set('container', labels.container)
}

function record(acc: Accumulator, sample: Sample): void {
  if (sample.name === 'DCGM_FI_PROF_GR_ENGINE_ACTIVE') acc.grEngineActive = sample.value
  else if (sample.name === 'DCGM_FI_DEV_GPU_UTIL') acc.gpuUtilPercent = sample.value
  const field = NUMERIC_FIELDS.get(sample.name)
  if (field !== undefined) acc.signal[field] = sample.value
}

function finish(acc: Accumulator): GpuSignal {
  const signal = acc.signal
  if (acc.grEngineActive !== undefined) {
    signal.utilization = clamp01(acc.grEngineActive)
    signal.utilizationSource = 'gr_engine_active'
  } else if (acc.gpuUtilPercent !== undefined) {
    signal.utilization = clamp01(acc.gpuUtilPercent / 100)
    signal.utilizationSource = 'gpu_util'
  }
  return signal
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v))
}
