/**
 * How a deployment's serving state is written in a GitOps repository, and read back (the twin's
 * Argo CD reads the same files). Two layouts:
 * - `kubernetes`: `deployments/<id>.yaml`, one Deployment + Service per vLLM group and a Gateway
 *   API `HTTPRoute` whose backendRef weights split traffic between stable and canary;
 * - `production-stack`: `deployments/<id>/values.yaml`, vLLM production-stack Helm values with one
 *   `servingEngineSpec.modelSpec[]` entry per group. The chart's router balances by replica, so the
 *   canary weight is carried in `optiinfra.canaryWeight` for the controller that applies it.
 * Which instances a group runs on is an annotation (`optiinfra.io/instances`): the nodes the
 * cloud seam launched for it.
 */
import { parseAllDocuments, stringify } from 'yaml'
import { defaultEngineConfig, type EngineConfig } from '../cloud/model/serving.ts'
import type { DeploymentState, GitLayout } from './actuator.ts'

const INSTANCES = 'optiinfra.io/instances'
const VLLM_IMAGE = 'vllm/vllm-openai'
const VLLM_TAG = 'v0.11.0'

/** vLLM command-line flags per engine field, defined once (rendering, parsing, diffs). */
const FLAGS: { key: keyof EngineConfig; flag: string; omitWhen?: string | number | boolean }[] = [
  { key: 'tensorParallelSize', flag: '--tensor-parallel-size' },
  { key: 'quantization', flag: '--quantization', omitWhen: 'none' },
  { key: 'kvCacheDtype', flag: '--kv-cache-dtype', omitWhen: 'auto' },
  { key: 'maxNumSeqs', flag: '--max-num-seqs' },
  { key: 'maxNumBatchedTokens', flag: '--max-num-batched-tokens' },
  { key: 'gpuMemoryUtilization', flag: '--gpu-memory-utilization' },
  { key: 'enablePrefixCaching', flag: '--enable-prefix-caching' },
]

/** The vLLM arguments an engine configuration runs with (`--flag=value`, booleans as on/off flags). */
export function vllmArgs(config: EngineConfig): string[] {
  return FLAGS.map((f) => argOf(f, config[f.key])).filter((a): a is string => a !== null)
}

/** One flag's argument for a value; null when vLLM's default makes it absent. */
function argOf(f: (typeof FLAGS)[number], v: EngineConfig[keyof EngineConfig]): string | null {
  if (typeof v === 'boolean') return v ? f.flag : f.flag.replace('--', '--no-')
  return v === f.omitWhen || v === undefined ? null : `${f.flag}=${v}`
}

/** One vLLM flag a change sets differently: its argument before and after (null: absent). */
export interface EngineArgChange { flag: string; before: string | null; after: string | null }

/** The vLLM arguments that differ between two engine configurations, in flag order. */
export function engineArgsDiff(before: EngineConfig, after: EngineConfig): EngineArgChange[] {
  return FLAGS.map((f) => ({ flag: f.flag, before: argOf(f, before[f.key]), after: argOf(f, after[f.key]) })).filter((c) => c.before !== c.after)
}

/** The engine configuration a list of vLLM arguments describes (unknown flags ignored). */
export function configFromArgs(args: string[]): EngineConfig {
  const config: Record<string, unknown> = { ...defaultEngineConfig, quantization: 'none', kvCacheDtype: 'auto' }
  for (const arg of args) {
    const [flag = '', value] = arg.split('=', 2)
    const f = FLAGS.find((x) => x.flag === flag || x.flag.replace('--', '--no-') === flag)
    if (!f) continue
    const current = config[f.key]
    config[f.key] = typeof current === 'boolean' ? !flag.startsWith('--no-') : typeof current === 'number' ? Number(value) : value
  }
  return config as unknown as EngineConfig
}

/** The repository files (path → text) that describe one deployment. */
export function renderDeployment(layout: GitLayout, s: DeploymentState): Record<string, string> {
  return layout === 'kubernetes'
    ? { [`deployments/${s.deploymentId}.yaml`]: kubernetesManifests(s) }
    : { [`deployments/${s.deploymentId}/values.yaml`]: productionStackValues(s) }
}

/** The path a deployment's files live under in a layout. */
export function deploymentPath(layout: GitLayout, deploymentId: string): string {
  return layout === 'kubernetes' ? `deployments/${deploymentId}.yaml` : `deployments/${deploymentId}/values.yaml`
}

function kubernetesManifests(s: DeploymentState): string {
  const groups = [{ role: 'stable', ...s.stable }, ...(s.canary ? [{ role: 'canary', ...s.canary }] : [])]
  const docs: unknown[] = []
  for (const g of groups) {
    const name = `${s.deploymentId}-${g.role}`
    const labels = { 'app.kubernetes.io/name': 'vllm', 'optiinfra.io/deployment': s.deploymentId, 'optiinfra.io/group': g.role }
    docs.push({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, labels, annotations: { [INSTANCES]: g.instanceIds.join(',') } },
      spec: {
        replicas: g.instanceIds.length,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'vllm', image: `${VLLM_IMAGE}:${VLLM_TAG}`, args: ['--model', s.model, ...vllmArgs(g.config)], ports: [{ containerPort: 8000 }], resources: { limits: { 'nvidia.com/gpu': g.config.tensorParallelSize } } }] },
        },
      },
    })
    docs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { selector: labels, ports: [{ port: 8000, targetPort: 8000 }] } })
  }
  const weight = s.canary?.weight ?? 0
  docs.push({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name: s.deploymentId, labels: { 'optiinfra.io/deployment': s.deploymentId } },
    spec: {
      parentRefs: [{ name: 'inference-gateway' }],
      rules: [{ backendRefs: groups.map((g) => ({ name: `${s.deploymentId}-${g.role}`, port: 8000, weight: g.role === 'canary' ? weight : 100 - weight })) }],
    },
  })
  return docs.map((d) => stringify(d)).join('---\n')
}

function productionStackValues(s: DeploymentState): string {
  const groups = [{ role: 'stable', ...s.stable }, ...(s.canary ? [{ role: 'canary', ...s.canary }] : [])]
  return stringify({
    servingEngineSpec: {
      modelSpec: groups.map((g) => ({
        name: `${s.deploymentId}-${g.role}`, repository: VLLM_IMAGE, tag: VLLM_TAG, modelURL: s.model,
        replicaCount: g.instanceIds.length, requestGPU: g.config.tensorParallelSize,
        vllmConfig: { extraArgs: vllmArgs(g.config) },
      })),
    },
    optiinfra: { deployment: s.deploymentId, canaryWeight: s.canary?.weight ?? 0, instances: Object.fromEntries(groups.map((g) => [g.role, g.instanceIds.join(',')])) },
  })
}

/** Reads a deployment's state back from its file (the inverse of `renderDeployment`). */
export function parseDeployment(layout: GitLayout, deploymentId: string, text: string): DeploymentState {
  return layout === 'kubernetes' ? parseKubernetes(deploymentId, text) : parseProductionStack(deploymentId, text)
}

type Group = { instanceIds: string[]; config: EngineConfig }
/** The fields of a Deployment / HTTPRoute this module reads. */
interface Manifest {
  kind: string
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> }
  spec: { template: { spec: { containers: { args: string[] }[] } }; rules: { backendRefs: { name: string; weight: number }[] }[] }
}
interface ModelSpec { name: string; modelURL: string; vllmConfig: { extraArgs?: string[] } }
const ids = (csv: unknown): string[] => String(csv ?? '').split(',').filter(Boolean).sort()

function parseKubernetes(deploymentId: string, text: string): DeploymentState {
  // manifests are external YAML: read field by field, a malformed file throws and the caller reports it
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Manifest)
  const groups = new Map<string, Group & { model: string }>()
  let weights = new Map<string, number>()
  for (const d of docs) {
    if (d.kind === 'Deployment') {
      const args = d.spec.template.spec.containers[0]!.args
      const model = args[args.indexOf('--model') + 1] ?? ''
      groups.set(d.metadata.labels['optiinfra.io/group']!, { instanceIds: ids(d.metadata.annotations?.[INSTANCES]), config: configFromArgs(args), model })
    }
    if (d.kind === 'HTTPRoute') weights = new Map(d.spec.rules[0]!.backendRefs.map((b) => [b.name, b.weight]))
  }
  const stable = groups.get('stable')
  if (!stable) throw new Error(`deployments/${deploymentId}.yaml has no stable Deployment`)
  const canary = groups.get('canary')
  return {
    deploymentId, model: stable.model,
    stable: { instanceIds: stable.instanceIds, config: stable.config },
    canary: canary ? { instanceIds: canary.instanceIds, config: canary.config, weight: weights.get(`${deploymentId}-canary`) ?? 0 } : null,
  }
}

function parseProductionStack(deploymentId: string, text: string): DeploymentState {
  const v = parseAllDocuments(text)[0]?.toJS() as { servingEngineSpec: { modelSpec: ModelSpec[] }; optiinfra: { canaryWeight: number; instances: Record<string, string> } }
  const spec = (role: string) => v.servingEngineSpec.modelSpec.find((m) => m.name === `${deploymentId}-${role}`)
  const group = (role: string): Group | null => {
    const m = spec(role)
    return m ? { instanceIds: ids(v.optiinfra.instances[role]), config: configFromArgs(m.vllmConfig.extraArgs ?? []) } : null
  }
  const stable = group('stable')
  if (!stable) throw new Error(`deployments/${deploymentId}/values.yaml has no stable modelSpec`)
  const canary = group('canary')
  return { deploymentId, model: spec('stable')!.modelURL, stable, canary: canary ? { ...canary, weight: v.optiinfra.canaryWeight } : null }
}
