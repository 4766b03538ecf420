-- The reconciler (issue 10 item 6): the capacity the platform last applied to each deployment (the
-- stable group it put in place, as pools, and the instances that belong to it, replacements
-- included), the actions it takes to keep observed capacity equal to that, and incidents.
CREATE TABLE reconciler_intents (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  pools jsonb NOT NULL,
  member_ids text[] NOT NULL,
  -- fleet time before which no new attempt to return capacity to spot is made (after a refusal)
  spot_retry_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, deployment_id)
);

-- One action per row, written before the provider is called: a crashed reconciler resumes a
-- `running` action with the same change ids, which the provider makes idempotent.
CREATE TABLE reconciler_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- insertion order (fleet time can stand still: several actions share one instant)
  seq bigserial NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('replace', 'floor', 'return_to_spot', 'retire')),
  reason text NOT NULL,
  plan jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  result jsonb,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX reconciler_actions_by_deployment ON reconciler_actions (customer_id, deployment_id, seq);
CREATE UNIQUE INDEX reconciler_actions_one_running ON reconciler_actions (customer_id, deployment_id) WHERE status = 'running';

-- A deployment with no healthy instance ('down') or violating its SLO ('slo_violation'); one open per kind.
CREATE TABLE incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('down', 'slo_violation')),
  reason text NOT NULL,
  opened_at timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (customer_id, deployment_id, kind) WHERE resolved_at IS NULL;

-- SLOs (issue 10 item 7): declared by the customer, or proposed by the platform until confirmed.
-- Latencies in ms; a null limit is not part of the objective.
CREATE TABLE deployment_slos (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  ttft_p95_ms double precision,
  itl_p95_ms double precision,
  e2e_p95_ms double precision NOT NULL,
  e2e_p99_ms double precision NOT NULL,
  max_error_rate double precision NOT NULL,
  min_quality double precision NOT NULL,
  source text NOT NULL CHECK (source IN ('declared', 'proposed')),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, deployment_id)
);
