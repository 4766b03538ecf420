-- Durable workflows (Argo's step model on pg-boss' mechanics), the optimizations they execute,
-- learning outcomes and conflict resolutions. Domain times come from the platform Clock; lease
-- times (locked_until) are wall time from the database, because they guard process liveness.

-- One row per workflow run. An optimization IS a run of kind 'optimization' (its id is the
-- optimization id), so its status is stored in exactly one place.
CREATE TABLE workflow_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- insertion order: runs waiting for the same lock take it first come, first served
  seq bigserial NOT NULL,
  kind text NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  -- what the run works on (for optimizations: the recommendation)
  subject_id uuid,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'paused', 'completed', 'failed', 'rolled_back')),
  -- 'steps' (forward), 'rollback' (the abort path), 'finish' (after steps or rollback)
  phase text NOT NULL DEFAULT 'steps' CHECK (phase IN ('steps', 'rollback', 'finish')),
  step_index integer NOT NULL DEFAULT 0,
  -- execution_steps [{name, status, started_at, completed_at, detail}]
  steps jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- the steps' working state (plan, created instance ids, bake snapshots, ...)
  context jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- result {success, error, predicted_savings, actual_savings, ...} once terminal
  result jsonb,
  -- attempts of the current step (reset when it advances); backoff and limits use it
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  pause_reason text,
  abort_reason text,
  -- a human's abort request (API); the engine turns it into the abort path at the next claim
  abort_requested text,
  abort_requested_at timestamptz,
  -- the resource this run needs to itself (e.g. a deployment); at most one holder per key
  lock_key text,
  holds_lock boolean NOT NULL DEFAULT false,
  next_run_at timestamptz NOT NULL,
  locked_by text,
  locked_until timestamptz,
  -- optimistic concurrency: every write checks and bumps it
  version integer NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE INDEX workflow_runs_due ON workflow_runs (next_run_at) WHERE status IN ('pending', 'running');
CREATE INDEX workflow_runs_customer ON workflow_runs (customer_id, created_at);
-- approving a recommendation twice can never create a second optimization
CREATE UNIQUE INDEX workflow_runs_subject ON workflow_runs (kind, subject_id) WHERE subject_id IS NOT NULL;
-- the per-resource lock: never two runs holding the same deployment
CREATE UNIQUE INDEX workflow_runs_lock ON workflow_runs (lock_key) WHERE holds_lock;

-- Append-only history of every transition, with a stable reason code and a human message.
CREATE TABLE workflow_events (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  step text,
  reason text NOT NULL,
  message text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  worker text
);
CREATE INDEX workflow_events_run ON workflow_events (run_id, id);

-- What each finished optimization taught us: predicted vs measured, with a numeric feature
-- vector for similarity search (pgvector copy in outcome_embeddings where the store has it).
CREATE TABLE outcomes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  optimization_id uuid NOT NULL UNIQUE REFERENCES workflow_runs(id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  recommendation_id uuid,
  recommendation_type text NOT NULL,
  deployment_id text,
  success boolean NOT NULL,
  status text NOT NULL,
  predicted_savings_micros bigint NOT NULL,
  actual_savings_micros bigint,
  quality_delta double precision,
  rollback_reason text,
  features double precision[] NOT NULL,
  stored_in_vector_db boolean NOT NULL DEFAULT false,
  vector_backend text,
  created_at timestamptz NOT NULL
);
CREATE INDEX outcomes_type ON outcomes (recommendation_type, created_at);

-- The orchestrator's conflict decisions and what was executed from them.
CREATE TABLE conflict_resolutions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  recommendation_ids uuid[] NOT NULL,
  conflict_detected boolean NOT NULL,
  strategy text NOT NULL,
  chosen_recommendation_id uuid,
  hybrid_solution jsonb,
  execution_order uuid[],
  rationale text NOT NULL,
  conflicts jsonb NOT NULL DEFAULT '[]'::jsonb,
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'executed')),
  optimization_ids uuid[],
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  executed_by text,
  executed_at timestamptz
);
CREATE INDEX conflict_resolutions_customer ON conflict_resolutions (customer_id, created_at);
