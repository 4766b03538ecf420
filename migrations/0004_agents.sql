-- Agents and the orchestrator: agent instances (in-process workers and separate processes),
-- their heartbeats, analysis requests, the task queue agents pull from with leases, agent events,
-- and customer onboarding (discovery status, agent-runtime connections).
-- Liveness times (heartbeats, leases) are the database's wall clock (now()), because they judge
-- whether a process is alive; domain times (analyses, events) come from the platform Clock.

CREATE TABLE agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_type text NOT NULL CHECK (agent_type IN ('cost', 'performance', 'resource', 'application')),
  version text NOT NULL,
  capabilities jsonb NOT NULL DEFAULT '[]'::jsonb,
  hostname text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('in_process', 'remote')),
  -- the platform agent token it registered with (NULL: in-process, or an admin registered it)
  token_id uuid REFERENCES access_tokens(id) ON DELETE SET NULL,
  -- last reported status (active/idle/busy/draining; stopped on deregistration); the health the
  -- orchestrator acts on (active/unhealthy/offline) is judged from it and last_heartbeat_at
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'idle', 'busy', 'draining', 'stopped')),
  heartbeat_interval_ms integer NOT NULL DEFAULT 5000 CHECK (heartbeat_interval_ms BETWEEN 100 AND 600000),
  current_tasks integer NOT NULL DEFAULT 0,
  load double precision NOT NULL DEFAULT 0,
  registered_at timestamptz NOT NULL DEFAULT now(),
  last_heartbeat_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_type ON agents (agent_type, last_heartbeat_at);

-- Every heartbeat, with the customer whose work it covers (NULL: the agent process itself).
CREATE TABLE agent_heartbeats (
  id bigserial PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  agent_type text NOT NULL,
  customer_id uuid REFERENCES customers(id) ON DELETE CASCADE,
  status text NOT NULL,
  current_tasks integer NOT NULL,
  load double precision NOT NULL,
  "timestamp" timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_heartbeats_agent ON agent_heartbeats (agent_id, "timestamp");
CREATE INDEX agent_heartbeats_customer ON agent_heartbeats (customer_id, agent_type, "timestamp");

-- One analysis request (API, orchestrator routing, automatic after discovery, or the periodic
-- re-analysis of monitored customers): one task per agent type.
CREATE TABLE analyses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  agent_types jsonb NOT NULL,
  analysis_type text,
  trigger text NOT NULL CHECK (trigger IN ('api', 'orchestrator', 'discovery', 'schedule')),
  status text NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'running', 'completed', 'failed')),
  requested_by text NOT NULL,
  -- per agent type: findings summary, recommendation ids, evidence sources, duration
  result jsonb NOT NULL DEFAULT '{}'::jsonb,
  error text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX analyses_customer ON analyses (customer_id, created_at);

-- The work queue: agents claim tasks of their type with a lease; an expired lease goes back to the queue.
CREATE TABLE agent_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('analyze', 'validate')),
  agent_type text NOT NULL CHECK (agent_type IN ('cost', 'performance', 'resource', 'application')),
  analysis_id uuid REFERENCES analyses(id) ON DELETE CASCADE,
  -- validate tasks: the recommendation (foreign key added in 0007, after 0005 creates the table)
  recommendation_id uuid,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  -- routing's choice of instance (by capability and load); others may take the task if it goes unclaimed
  routed_agent_id uuid REFERENCES agents(id) ON DELETE SET NULL,
  claimed_by uuid REFERENCES agents(id) ON DELETE SET NULL,
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz
);
CREATE INDEX agent_tasks_queue ON agent_tasks (agent_type, status, created_at);
CREATE INDEX agent_tasks_analysis ON agent_tasks (analysis_id);

-- Things agents and the orchestrator did or were told (e.g. resolution_executed), per customer.
CREATE TABLE agent_events (
  id bigserial PRIMARY KEY,
  customer_id uuid REFERENCES customers(id) ON DELETE CASCADE,
  agent_type text NOT NULL CHECK (agent_type IN ('cost', 'performance', 'resource', 'application', 'orchestrator')),
  event_type text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL
);
CREATE INDEX agent_events_customer ON agent_events (customer_id, event_type, at);

-- Onboarding of a customer's cloud account and the discovery of its fleet.
CREATE TABLE customer_onboarding (
  customer_id uuid PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  cloud_provider text NOT NULL CHECK (cloud_provider IN ('aws', 'gcp')),
  region text NOT NULL,
  iam_role_arn text,
  project_id text,
  -- 'onboard': discovered through the cloud account; 'registered': fleet posted to /infrastructure
  source text NOT NULL CHECK (source IN ('onboard', 'registered')),
  status text NOT NULL CHECK (status IN ('pending', 'discovering', 'discovered', 'failed')),
  error text,
  attempts integer NOT NULL DEFAULT 0,
  instances_found integer NOT NULL DEFAULT 0,
  deployments_found integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL,
  discovered_at timestamptz,
  updated_at timestamptz NOT NULL
);

-- Agent runtimes that connected with a customer's runtime token.
CREATE TABLE runtime_connections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  token_id uuid NOT NULL REFERENCES access_tokens(id) ON DELETE CASCADE,
  hostname text NOT NULL,
  version text NOT NULL,
  connected_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  UNIQUE (token_id, hostname)
);
CREATE INDEX runtime_connections_customer ON runtime_connections (customer_id);
