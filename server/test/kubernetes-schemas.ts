/**
 * Validates Kubernetes and Gateway API objects against the published OpenAPI schemas, through the
 * `kubernetes-models` packages (schemas generated from Kubernetes 1.x and the Gateway API CRDs).
 * Used by tests of everything OptiInfra writes for a cluster: deploy manifests and GitOps layouts.
 */
import { Job } from 'kubernetes-models/batch/v1/Job'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { Service } from 'kubernetes-models/v1/Service'
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'

interface Validating { validate(): void }
type Model = new (data: never) => Validating

const MODELS: Record<string, Model> = {
  'batch/v1 Job': Job as unknown as Model,
  'apps/v1 Deployment': Deployment as unknown as Model,
  'v1 Service': Service as unknown as Model,
  'gateway.networking.k8s.io/v1 HTTPRoute': HTTPRoute as unknown as Model,
}

/** Throws with the schema's message when `doc` is not a valid object of a known kind. */
export function validateManifest(doc: { apiVersion?: string; kind?: string }): void {
  const key = `${doc.apiVersion} ${doc.kind}`
  const M = MODELS[key]
  if (!M) throw new Error(`no schema for ${key}`)
  new M(doc as never).validate()
}
