/**
 * DCGM-exporter view of a simulated instance (ecosystem-formats §2.1): one series per GPU with the
 * exporter's labels (gpu, UUID, pci_bus_id, device, modelName, Hostname, driver version), values
 * derived from the serving model. Device constants below are public NVIDIA board figures
 * (TDP, boost clock) used only to shape power and clocks; they are not used in any cost maths.
 */
import { createHash } from 'node:crypto'
import { gpuSpec } from '../catalog/catalog.ts'
import type { MetricFamily, Sample } from '../../telemetry/prometheus.ts'
import type { GroupServing } from './serving-view.ts'

/** Product name as nvidia-smi/DCGM print it, board power limit (W) and max SM clock (MHz). */
const BOARDS: Readonly<Record<string, { name: string; tdpW: number; boostMHz: number }>> = {
  T4: { name: 'Tesla T4', tdpW: 70, boostMHz: 1590 },
  A10G: { name: 'NVIDIA A10G', tdpW: 300, boostMHz: 1710 },
  L4: { name: 'NVIDIA L4', tdpW: 72, boostMHz: 2040 },
  L40S: { name: 'NVIDIA L40S', tdpW: 350, boostMHz: 2520 },
  'RTX-PRO-6000': { name: 'NVIDIA RTX PRO 6000 Blackwell Server Edition', tdpW: 600, boostMHz: 2617 },
  'A100-40GB': { name: 'NVIDIA A100-SXM4-40GB', tdpW: 400, boostMHz: 1410 },
  'A100-80GB': { name: 'NVIDIA A100-SXM4-80GB', tdpW: 400, boostMHz: 1410 },
  H100: { name: 'NVIDIA H100 80GB HBM3', tdpW: 700, boostMHz: 1980 },
  H200: { name: 'NVIDIA H200', tdpW: 700, boostMHz: 1980 },
  B200: { name: 'NVIDIA B200', tdpW: 1000, boostMHz: 1965 },
  B300: { name: 'NVIDIA B300', tdpW: 1100, boostMHz: 2032 },
}
const IDLE_CLOCK_MHZ = 345
const DRIVER_VERSION = '570.172.08'
/** Idle draw ≈ 10% of the board limit; a fully busy board draws ≈ 85% of it while decoding. */
const IDLE_POWER_SHARE = 0.1
const BUSY_POWER_SHARE = 0.85

/** What one GPU is doing at an instant. */
export interface GpuState { busy: boolean; utilization: number; engineActive: number; memoryUtilization: number }

/** Per-GPU state of an instance from its group's serving state (GPUs beyond the replicas are idle). */
export function gpuStates(gpuCount: number, serving: GroupServing | null, instancesRunning: number): GpuState[] {
  const stats = serving?.stats
  const tp = serving?.config.tensorParallelSize ?? 1
  const replicasPerInstance = stats && stats.fits && instancesRunning > 0 ? Math.round(stats.replicas / instancesRunning) : 0
  return Array.from({ length: gpuCount }, (_, i) => {
    const busy = !!stats && i < replicasPerInstance * tp
    return busy
      ? { busy, utilization: stats.gpuUtilization, engineActive: Math.min(1, stats.saturation), memoryUtilization: serving!.config.gpuMemoryUtilization }
      : { busy, utilization: 0, engineActive: 0, memoryUtilization: 0 }
  })
}

/** Board power in watts for a GPU state. */
export function powerWatts(gpuType: string, s: GpuState): number {
  const board = BOARDS[gpuSpec(gpuType).gpuType] ?? { tdpW: 300 }
  return board.tdpW * (IDLE_POWER_SHARE + (BUSY_POWER_SHARE - IDLE_POWER_SHARE) * s.engineActive)
}

/** A stable GPU UUID for (instance, index), formatted like NVIDIA's. */
export function gpuUuid(instanceId: string, index: number): string {
  const h = createHash('sha256').update(`gpu|${instanceId}|${index}`).digest('hex')
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/** EC2-style private host name for an instance. */
export function hostnameOf(instanceId: string): string {
  const b = createHash('sha256').update(`host|${instanceId}`).digest()
  return `ip-10-${b[0]! % 256}-${b[1]! % 256}-${b[2]! % 254 + 1}`
}

/** DCGM families for one instance; `energyMj` is the per-GPU cumulative energy since boot. */
export function dcgmFamilies(instanceId: string, gpuType: string, states: GpuState[], energyMj: number[]): MetricFamily[] {
  const spec = gpuSpec(gpuType)
  const board = BOARDS[spec.gpuType] ?? { name: `NVIDIA ${spec.gpuType}`, tdpW: 300, boostMHz: 1500 }
  const totalMiB = Math.round(spec.memoryGiB * 1024)
  const reservedMiB = Math.round(totalMiB * 0.0068)
  const host = hostnameOf(instanceId)
  const labels = (i: number) => ({
    gpu: String(i), UUID: gpuUuid(instanceId, i), pci_bus_id: `00000000:${(0x10 + i * 0x11).toString(16).toUpperCase().padStart(2, '0')}:00.0`,
    device: `nvidia${i}`, modelName: board.name, Hostname: host, DCGM_FI_DRIVER_VERSION: DRIVER_VERSION,
  })
  const fam = (name: string, help: string, type: 'gauge' | 'counter', value: (s: GpuState, i: number) => number): MetricFamily => ({
    name, type, help, samples: states.map((s, i): Sample => ({ name, labels: labels(i), value: value(s, i) })),
  })
  const usedMiB = (s: GpuState) => Math.round((totalMiB - reservedMiB) * s.memoryUtilization)
  return [
    fam('DCGM_FI_DEV_SM_CLOCK', 'SM clock frequency (in MHz).', 'gauge', (s) => (s.busy ? board.boostMHz : IDLE_CLOCK_MHZ)),
    fam('DCGM_FI_DEV_GPU_TEMP', 'GPU temperature (in C).', 'gauge', (s) => Math.round(30 + 45 * (powerWatts(gpuType, s) / board.tdpW))),
    fam('DCGM_FI_DEV_POWER_USAGE', 'Power draw (in W).', 'gauge', (s) => Number(powerWatts(gpuType, s).toFixed(3))),
    fam('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'Total energy consumption since boot (in mJ).', 'counter', (_s, i) => Math.round(energyMj[i] ?? 0)),
    fam('DCGM_FI_DEV_GPU_UTIL', 'GPU utilization (in %).', 'gauge', (s) => Math.round(s.utilization * 100)),
    fam('DCGM_FI_DEV_MEM_COPY_UTIL', 'Memory utilization (in %).', 'gauge', (s) => Math.round(s.engineActive * 80)),
    fam('DCGM_FI_DEV_FB_FREE', 'Framebuffer memory free (in MiB).', 'gauge', (s) => totalMiB - reservedMiB - usedMiB(s)),
    fam('DCGM_FI_DEV_FB_USED', 'Framebuffer memory used (in MiB).', 'gauge', usedMiB),
    fam('DCGM_FI_DEV_FB_RESERVED', 'Framebuffer memory reserved (in MiB).', 'gauge', () => reservedMiB),
    fam('DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'Ratio of time the graphics engine is active.', 'gauge', (s) => Number(s.engineActive.toFixed(6))),
    fam('DCGM_FI_PROF_DRAM_ACTIVE', 'Ratio of cycles the device memory interface is active sending or receiving data.', 'gauge', (s) => Number((s.engineActive * 0.8).toFixed(6))),
  ]
}
