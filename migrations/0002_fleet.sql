-- The simulated cloud (fleet digital twin): instances, vLLM deployments, idempotent change
-- results, injected faults, cloud events and the cumulative counters behind /metrics.
-- Ids of instances and deployments are the customer's (e.g. "i-123456", "vllm-prod-1"), so
-- they are unique per customer, not globally. Times come from the platform Clock.

CREATE TABLE sim_deployments (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL,
  cloud text NOT NULL CHECK (cloud IN ('aws', 'gcp')),
  region text NOT NULL,
  model jsonb NOT NULL,
  traffic jsonb NOT NULL,
  slo jsonb NOT NULL,
  latency_critical boolean NOT NULL DEFAULT false,
  stable_config jsonb NOT NULL,
  canary_config jsonb,
  canary_weight double precision NOT NULL DEFAULT 0 CHECK (canary_weight >= 0 AND canary_weight <= 100),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, id)
);

-- State is derived from the times: pending before ready_at, running until terminated_at.
-- A terminated instance keeps its group so past windows still know who served what.
CREATE TABLE sim_instances (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  id text NOT NULL,
  cloud text NOT NULL CHECK (cloud IN ('aws', 'gcp')),
  region text NOT NULL,
  instance_type text NOT NULL,
  gpu_type text NOT NULL,
  gpu_count integer NOT NULL CHECK (gpu_count > 0),
  pricing text NOT NULL CHECK (pricing IN ('on-demand', 'spot', 'reserved')),
  deployment_id text,
  grp text CHECK (grp IN ('stable', 'canary')),
  launched_at timestamptz NOT NULL,
  ready_at timestamptz NOT NULL,
  terminated_at timestamptz,
  -- spot: when the cloud announced the reclaim (terminated_at = notice + noticeSeconds)
  notice_at timestamptz,
  -- fixed price paid per hour in integer micro-dollars (on-demand, reserved); NULL for spot,
  -- whose price is the spot market's, hour by hour
  hourly_micros bigint,
  -- spot interruptions have been looked for up to this time (the ticker's checkpoint)
  interrupt_checked_until timestamptz NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (customer_id, id)
);
CREATE INDEX sim_instances_deployment ON sim_instances (customer_id, deployment_id);
CREATE INDEX sim_instances_spot_live ON sim_instances (interrupt_checked_until) WHERE pricing = 'spot' AND terminated_at IS NULL;

-- One row per mutating provider call: a repeated changeId returns `result` with no new effect.
CREATE TABLE sim_changes (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  change_id text NOT NULL,
  method text NOT NULL,
  result jsonb,
  at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, change_id)
);

-- Injected faults (admin only). Active from created_at until expires_at / cleared_at.
CREATE TABLE sim_faults (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text,
  target text NOT NULL CHECK (target IN ('stable', 'canary', 'all')),
  kind text NOT NULL CHECK (kind IN ('quality_degradation', 'latency_spike', 'error_burst', 'spot_interruption', 'launch_failure', 'capacity_shortage')),
  magnitude double precision NOT NULL,
  instance_type text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  cleared_at timestamptz,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX sim_faults_customer ON sim_faults (customer_id, created_at);

-- What the cloud did on its own (interruption notices, reclaims), append-only.
CREATE TABLE sim_events (
  id bigserial PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  kind text NOT NULL,
  instance_id text,
  deployment_id text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX sim_events_customer_at ON sim_events (customer_id, at);

-- Cumulative vLLM / DCGM counters per endpoint ("dep:<id>:<group>" or "inst:<id>"), advanced by
-- rate × elapsed simulated time, so two scrapes Δt apart differ by what the model says.
CREATE TABLE sim_counters (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  subject text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  state jsonb NOT NULL,
  PRIMARY KEY (customer_id, subject)
);
