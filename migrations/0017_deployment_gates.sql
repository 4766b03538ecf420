-- Canary gates as data (issue 12 item 2): the gates a customer declared for a deployment. A gate
-- without a row uses the defaults derived from the deployment's SLO (server/gates/policy.ts).
CREATE TABLE deployment_gates (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  gate text NOT NULL CHECK (gate IN ('quality', 'error_rate', 'latency_p95')),
  tolerance double precision NOT NULL CHECK (tolerance > 0),
  alpha double precision NOT NULL CHECK (alpha > 0 AND alpha <= 0.5),
  min_samples integer NOT NULL CHECK (min_samples >= 1),
  max_samples integer NOT NULL CHECK (max_samples >= min_samples),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, deployment_id, gate)
);
