/**
 * Seeded fleets for the demo (`npm start`) and tests: realistic waste an optimizer should find —
 * on-demand A100/H100 serving 8B–72B models in FP16, an H100 box running an 8B model, an
 * under-used replica group, a forgotten idle instance — plus one latency-critical deployment
 * and one GCP deployment. Deterministic: same ids, models and traffic every time.
 */
import type { Deps } from '../../deps.ts'
import { findUserByEmail } from '../../auth/store.ts'
import type { FleetSpec } from './register-plan.ts'
import type { RegisteredFleet } from './register.ts'
import type { Simulator } from './simulator.ts'

/** The demo customer's fleet (≈ $120k/month on demand). */
export const DEMO_FLEET: FleetSpec = {
  instances: [
    { instance_id: 'i-0demo70b00000001', instance_type: 'p4de.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8 },
    { instance_id: 'i-0demo70b00000002', instance_type: 'p4de.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8 },
    { instance_id: 'i-0demo8bh10000001', instance_type: 'p5.48xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'H100', gpu_count: 8 },
    { instance_id: 'i-0demosumm0000001', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1 },
    { instance_id: 'i-0demosumm0000002', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1 },
    { instance_id: 'i-0demosumm0000003', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1 },
    { instance_id: 'i-0demosumm0000004', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'L40S', gpu_count: 1 },
    { instance_id: 'i-0demosearch00001', instance_type: 'g5.2xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A10G', gpu_count: 1 },
    { instance_id: 'i-0demosearch00002', instance_type: 'g5.2xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A10G', gpu_count: 1 },
    { instance_id: 'i-0demoidle0000001', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A10G', gpu_count: 1 },
    { instance_id: 'gce-demo-batch-72b-1', instance_type: 'a3-highgpu-4g', region: 'us-central1', pricing: 'on-demand', gpu_type: 'H100', gpu_count: 4, cloud: 'gcp' },
  ],
  vllm_deployments: [
    // 70B FP16 on two 8×A100-80GB boxes at a modest rate: spot and right-sizing candidate.
    { deployment_id: 'chat-llama-70b', name: 'Customer chat (Llama 3.1 70B)', model: 'meta-llama/Llama-3.1-70B-Instruct', instance_ids: ['i-0demo70b00000001', 'i-0demo70b00000002'], requests_per_second: 6, prompt_tokens: 1024, output_tokens: 256 },
    // An 8B model alone on an 8×H100 box: FP8 and right-sizing candidate.
    { deployment_id: 'support-llama-8b', name: 'Support assistant (Llama 3 8B)', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-0demo8bh10000001'], requests_per_second: 25, prompt_tokens: 512, output_tokens: 192 },
    // Four L40S replicas for 2 req/s of summarization: consolidation candidate.
    { deployment_id: 'summarizer-mistral-7b', name: 'Document summarizer (Mistral 7B)', model: 'mistralai/Mistral-7B-Instruct-v0.3', instance_ids: ['i-0demosumm0000001', 'i-0demosumm0000002', 'i-0demosumm0000003', 'i-0demosumm0000004'], requests_per_second: 2, prompt_tokens: 2048, output_tokens: 200 },
    // Short, latency-critical answers: must keep an on-demand floor.
    { deployment_id: 'search-rerank-qwen-7b', name: 'Search answers (Qwen2.5 7B)', model: 'Qwen/Qwen2.5-7B-Instruct', instance_ids: ['i-0demosearch00001', 'i-0demosearch00002'], requests_per_second: 10, prompt_tokens: 256, output_tokens: 32, latency_critical: true },
    // Batch extraction on GCP H100s in FP16: FP8, spot or cross-cloud candidate.
    { deployment_id: 'batch-qwen-72b', name: 'Batch extraction (Qwen2.5 72B, GCP)', model: 'Qwen/Qwen2.5-72B-Instruct', instance_ids: ['gce-demo-batch-72b-1'], requests_per_second: 3, prompt_tokens: 1500, output_tokens: 400 },
  ],
}

/** Registers the demo fleet for a customer unless it already has deployments (a restart keeps the fleet as the optimizer left it). */
export async function seedDemoFleet(sim: Simulator, customerId: string): Promise<RegisteredFleet | null> {
  const existing = await sim.listResources(customerId)
  if (existing.deployments.length > 0) return null
  return sim.registerFleet(customerId, DEMO_FLEET)
}

/** Seeds the demo fleet for the demo account created by bootstrap (no-op when the account is absent). */
export async function seedDemoCustomers(deps: Pick<Deps, 'db' | 'twin' | 'log'>, demoEmail: string): Promise<void> {
  const user = await findUserByEmail(deps.db, demoEmail)
  if (!user?.customer_id || !deps.twin) return
  const fleet = await seedDemoFleet(deps.twin, user.customer_id)
  if (fleet) deps.log.info({ customerId: user.customer_id, instances: fleet.instances.length, deployments: fleet.deployments.length }, 'demo fleet registered in the simulator')
}
