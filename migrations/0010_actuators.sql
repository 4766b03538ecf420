-- How approved changes reach a customer's fleet: `direct` (the provider's calls; the default when a
-- customer has no row), `git` (a commit per canary step to a deployment repository that Argo CD or
-- Flux applies) or `manual` (instructions a human applies, verified from the fleet). One per customer.
CREATE TABLE actuators (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL UNIQUE REFERENCES customers(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('git', 'manual')),
  repository text,
  branch text,
  layout text CHECK (layout IN ('kubernetes', 'production-stack')),
  created_at timestamptz NOT NULL,
  CHECK ((kind = 'git') = (repository IS NOT NULL AND branch IS NOT NULL AND layout IS NOT NULL))
);

-- What an advisory (manual) actuator asked a human to apply, and when the fleet showed it applied.
CREATE TABLE actuator_actions (
  change_id text PRIMARY KEY,
  actuator_id uuid NOT NULL REFERENCES actuators(id) ON DELETE CASCADE,
  customer_id uuid NOT NULL,
  deployment_id text NOT NULL,
  instruction text NOT NULL,
  wanted jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  applied_at timestamptz
);
CREATE INDEX actuator_actions_by_actuator ON actuator_actions (actuator_id, created_at DESC);
