import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { validateManifest } from '../../server/test/kubernetes-schemas.ts'

const docs = parseAllDocuments(readFileSync('deploy/kubernetes/optiinfra.yaml', 'utf8')).map((d) => d.toJS())

describe('Kubernetes deployment manifests', () => {
  it('every object is valid against the Kubernetes schemas', () => {
    expect(docs.map((d) => d.kind)).toEqual(['Job', 'Deployment', 'Deployment', 'Service'])
    for (const d of docs) expect(() => validateManifest(d), `${d.kind} ${d.metadata.name}`).not.toThrow()
  })

  it('the validator rejects what Kubernetes would reject', () => {
    const broken = structuredClone(docs[1])
    broken.spec.replicas = 'two'
    expect(() => validateManifest(broken)).toThrow()
  })

  it('API replicas do no background work, workers do; secrets are referenced, never inlined', () => {
    const env = (name: string) => docs.find((d) => d.metadata.name === name).spec.template.spec.containers[0].env
    expect(env('optiinfra-api')).toContainEqual({ name: 'OPTIINFRA_WORKERS', value: 'false' })
    expect(env('optiinfra-worker')).toContainEqual({ name: 'OPTIINFRA_WORKERS', value: 'true' })
    const text = readFileSync('deploy/kubernetes/optiinfra.yaml', 'utf8')
    expect(text).not.toMatch(/DATABASE_URL\s*[:=]\s*\S*postgres/)
    expect(text).toMatch(/secretRef: \{ name: optiinfra-secrets \}/)
  })
})
