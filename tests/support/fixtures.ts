/**
 * The seeds' `test_infrastructure` fixture (seed 001 §3): two on-demand p4d.24xlarge (8× A100)
 * serving Llama-3-70B at 45 req/s with p95 ≈ 1.6 s. Registered through the API, the simulator
 * materializes it so it runs, serves metrics and bills.
 */
export const seedInfrastructure = {
  instances: [
    { instance_id: 'i-123456', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', monthly_cost: 30000, gpu_type: 'A100', gpu_count: 8, utilization: 0.78 },
    { instance_id: 'i-789012', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', monthly_cost: 30000, gpu_type: 'A100', gpu_count: 8, utilization: 0.72 },
  ],
  vllm_deployments: [
    { deployment_id: 'vllm-prod-1', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-123456', 'i-789012'], avg_latency_p95: 1600, requests_per_second: 45 },
  ],
}
