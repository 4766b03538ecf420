/**
 * GPU device specs: the few numbers the serving model turns into memory, speed and
 * FP8 eligibility. Bandwidth and dense (no-sparsity) tensor TFLOPS are NVIDIA datasheet
 * figures; memory is the per-device size the EC2 API reports (ecosystem-formats §4.2), used
 * for both clouds because it is the same silicon.
 */

/** NVIDIA architecture generation; decides FP8 support. */
export type GpuArchitecture = 'turing' | 'ampere' | 'ada' | 'hopper' | 'blackwell'
/** How the GPUs of one instance talk: decides tensor-parallel overhead. */
export type Interconnect = 'nvlink' | 'pcie'

/** The device numbers the serving model needs. */
export interface GpuSpec {
  gpuType: string
  architecture: GpuArchitecture
  memoryGiB: number
  memBandwidthGBs: number
  /** Dense BF16 tensor TFLOPS (FP16 for Turing, which has no BF16). */
  bf16Tflops: number
  /** FP8 W8A8 needs compute capability >= 8.9 (Ada, Hopper, Blackwell); Ampere/Turing have none. */
  fp8: boolean
  /** Multi-GPU links: NVLink on SXM/HGX boards, PCIe only on the G-family cards. */
  interconnect: Interconnect
  /** Memory bandwidth relative to A100-80GB (= 1): decode is bandwidth-bound, so this ranks speed. */
  relativeSpeed: number
}

type SpecRow = Omit<GpuSpec, 'gpuType' | 'relativeSpeed'>

/** A100-80GB SXM bandwidth, the reference for relativeSpeed. */
const REFERENCE_BANDWIDTH_GBS = 2039

const SPECS: Readonly<Record<string, SpecRow>> = {
  T4: { architecture: 'turing', memoryGiB: 16, memBandwidthGBs: 320, bf16Tflops: 65, fp8: false, interconnect: 'pcie' },
  // A10G is AWS's variant of the A10; NVIDIA publishes no separate sheet, so A10 figures are used.
  A10G: { architecture: 'ampere', memoryGiB: 22.4, memBandwidthGBs: 600, bf16Tflops: 125, fp8: false, interconnect: 'pcie' },
  L4: { architecture: 'ada', memoryGiB: 22.4, memBandwidthGBs: 300, bf16Tflops: 121, fp8: true, interconnect: 'pcie' },
  L40S: { architecture: 'ada', memoryGiB: 44.7, memBandwidthGBs: 864, bf16Tflops: 362, fp8: true, interconnect: 'pcie' },
  // RTX PRO 6000 Blackwell Server: TFLOPS approximate (NVIDIA quotes FP4 sparse peaks only).
  'RTX-PRO-6000': { architecture: 'blackwell', memoryGiB: 96, memBandwidthGBs: 1597, bf16Tflops: 500, fp8: true, interconnect: 'pcie' },
  'A100-40GB': { architecture: 'ampere', memoryGiB: 40, memBandwidthGBs: 1555, bf16Tflops: 312, fp8: false, interconnect: 'nvlink' },
  'A100-80GB': { architecture: 'ampere', memoryGiB: 80, memBandwidthGBs: 2039, bf16Tflops: 312, fp8: false, interconnect: 'nvlink' },
  H100: { architecture: 'hopper', memoryGiB: 80, memBandwidthGBs: 3350, bf16Tflops: 989, fp8: true, interconnect: 'nvlink' },
  H200: { architecture: 'hopper', memoryGiB: 141, memBandwidthGBs: 4800, bf16Tflops: 989, fp8: true, interconnect: 'nvlink' },
  B200: { architecture: 'blackwell', memoryGiB: 179.1, memBandwidthGBs: 8000, bf16Tflops: 2250, fp8: true, interconnect: 'nvlink' },
  B300: { architecture: 'blackwell', memoryGiB: 268.6, memBandwidthGBs: 8000, bf16Tflops: 2250, fp8: true, interconnect: 'nvlink' },
}

/** Spellings seen in the sources (Karpenter labels, Cyclenerd names) mapped to our names. */
const ALIASES: Readonly<Record<string, string>> = {
  'a100-40gb': 'A100-40GB', 'a100-80gb': 'A100-80GB', 'h100-80gb': 'H100', 'h200-141gb': 'H200',
  'rtx-pro-6000-server': 'RTX-PRO-6000', 'rtx-pro-6000-blackwell-server': 'RTX-PRO-6000',
}

/** Every GPU type the twin knows, so validators and UIs can list them. */
export function knownGpuTypes(): string[] {
  return Object.keys(SPECS)
}

/** Maps a source spelling ("NVIDIA A100 80GB", "h100") to our canonical name, or undefined. */
export function normalizeGpuType(name: string): string | undefined {
  const key = name.trim().toLowerCase().replace(/^nvidia\s+/, '').replace(/\s*\(mega\)$/, '').replace(/[\s_]+/g, '-')
  const direct = Object.keys(SPECS).find((k) => k.toLowerCase() === key)
  return direct ?? ALIASES[key]
}

/** Device spec for a GPU type (aliases accepted); throws on an unknown type, a programming error. */
export function gpuSpec(gpuType: string): GpuSpec {
  const canonical = normalizeGpuType(gpuType)
  const row = canonical === undefined ? undefined : SPECS[canonical]
  if (canonical === undefined || row === undefined) {
    throw new Error(`unknown GPU type "${gpuType}"; known: ${knownGpuTypes().join(', ')}`)
  }
  return { gpuType: canonical, ...row, relativeSpeed: row.memBandwidthGBs / REFERENCE_BANDWIDTH_GBS }
}
