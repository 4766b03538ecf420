-- Telemetry sources a customer connects (today: a Prometheus that scrapes its vLLM and DCGM
-- exporters). Headers may carry a credential for that Prometheus: they are never returned by the
-- API, only their names. Health is what the last poll saw.
CREATE TABLE telemetry_sources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('prometheus')),
  url text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  deployment_label text NOT NULL,
  group_label text NOT NULL,
  created_at timestamptz NOT NULL,
  last_poll_at timestamptz,
  last_success_at timestamptz,
  series_found integer NOT NULL DEFAULT 0,
  deployments text[] NOT NULL DEFAULT '{}',
  polls integer NOT NULL DEFAULT 0,
  failures integer NOT NULL DEFAULT 0,
  last_error text,
  UNIQUE (customer_id, url)
);
