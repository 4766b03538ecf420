-- Recommendations: what an agent proposes for one deployment, with predicted effects, risk and
-- evidence, and the change plan a workflow will execute once the customer approves.
CREATE TABLE recommendations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text,
  type text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'executing', 'completed', 'failed', 'rolled_back', 'superseded')),
  agent_type text NOT NULL,
  title text NOT NULL,
  risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
  risk_reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- predicted monthly savings in integer micro-dollars (never floats for money)
  estimated_savings_micros bigint NOT NULL,
  confidence double precision NOT NULL DEFAULT 0.5,
  predicted jsonb NOT NULL DEFAULT '{}'::jsonb,
  evidence jsonb NOT NULL DEFAULT '{}'::jsonb,
  plan jsonb NOT NULL,
  -- one pending recommendation per (customer, key): re-analysis refreshes it instead of piling up
  dedupe_key text NOT NULL,
  evidence_at timestamptz NOT NULL,
  decided_by text,
  decided_at timestamptz,
  reject_reason text,
  optimization_id uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX recommendations_pending_key ON recommendations (customer_id, dedupe_key) WHERE status = 'pending';
CREATE INDEX recommendations_customer ON recommendations (customer_id, status, created_at);

-- Each other agent's verdict on a recommendation (one per agent; re-validation replaces it).
CREATE TABLE recommendation_validations (
  recommendation_id uuid NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
  agent_type text NOT NULL,
  approved boolean NOT NULL,
  baseline_established boolean NOT NULL DEFAULT false,
  reason text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL,
  PRIMARY KEY (recommendation_id, agent_type)
);
