-- Telemetry: time series pushed by agent runtimes (raw samples, rollups, quarantine, per-batch
-- accounting), the derived per-deployment signals that agents and canary analysis read, and
-- answer-quality scores. Retention windows live in server/telemetry/store.ts with their reasons.

-- One row per distinct series of a customer. `key` is the SHA-256 of the canonical series
-- (metric, sorted labels, deployment, instance, group), so identical series map to one id.
CREATE TABLE telemetry_series (
  id bigserial PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  key text NOT NULL,
  metric text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}'::jsonb,
  deployment_id text,
  instance_id text,
  "group" text,
  created_at timestamptz NOT NULL,
  UNIQUE (customer_id, key)
);
CREATE INDEX telemetry_series_customer_metric ON telemetry_series (customer_id, metric);

-- Raw samples. The primary key is what makes a duplicate (same series, same timestamp) land once.
-- No foreign key to the series table: ingestion resolves series ids in the same transaction, and
-- a per-row FK check measurably slows the hot path; the retention job removes orphans.
CREATE TABLE telemetry_samples (
  series_id bigint NOT NULL,
  ts timestamptz NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (series_id, ts)
);
CREATE INDEX telemetry_samples_ts ON telemetry_samples (ts);

-- Downsampled rollups: enough to answer avg/min/max/count over any coarser window.
CREATE TABLE telemetry_rollup_1m (
  series_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  n integer NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  last double precision NOT NULL,
  PRIMARY KEY (series_id, bucket)
);
CREATE INDEX telemetry_rollup_1m_bucket ON telemetry_rollup_1m (bucket);

CREATE TABLE telemetry_rollup_1h (
  series_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  n integer NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  last double precision NOT NULL,
  PRIMARY KEY (series_id, bucket)
);
CREATE INDEX telemetry_rollup_1h_bucket ON telemetry_rollup_1h (bucket);

-- Per-batch accounting: every received record is stored, a duplicate, or quarantined.
-- min_ts/max_ts bound the stored samples; `rolled_up` marks batches the rollup job has folded in
-- (a flag, not a sequence watermark, because on PostgreSQL batches commit out of order).
CREATE TABLE telemetry_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  source text NOT NULL DEFAULT 'api',
  received integer NOT NULL,
  stored integer NOT NULL,
  duplicates integer NOT NULL,
  quarantined integer NOT NULL,
  min_ts timestamptz,
  max_ts timestamptz,
  rolled_up boolean NOT NULL DEFAULT false,
  received_at timestamptz NOT NULL,
  CHECK (received = stored + duplicates + quarantined)
);
CREATE INDEX telemetry_batches_customer_at ON telemetry_batches (customer_id, received_at);
CREATE INDEX telemetry_batches_pending ON telemetry_batches (received_at) WHERE NOT rolled_up;

-- Records that could not be stored, with why; kept for inspection, never silently dropped.
CREATE TABLE telemetry_quarantine (
  id bigserial PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  batch_id uuid NOT NULL,
  reason text NOT NULL,
  detail text NOT NULL DEFAULT '',
  record text NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX telemetry_quarantine_customer_at ON telemetry_quarantine (customer_id, received_at);

-- Derived signals per deployment and serving group (stable/canary) per scrape interval:
-- latency percentiles, throughput, error rate, KV and GPU use, queue depth, preemptions.
CREATE TABLE deployment_metrics (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  "group" text NOT NULL,
  metric_type text NOT NULL,
  ts timestamptz NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (customer_id, deployment_id, "group", metric_type, ts)
);
CREATE INDEX deployment_metrics_customer_type_ts ON deployment_metrics (customer_id, metric_type, ts);

-- Answer-quality scores (0..1) from the application agent's evaluation runs, n = prompts scored.
CREATE TABLE quality_scores (
  id bigserial PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  "group" text NOT NULL DEFAULT 'stable',
  ts timestamptz NOT NULL,
  score double precision NOT NULL CHECK (score >= 0 AND score <= 1),
  n integer NOT NULL CHECK (n > 0)
);
CREATE INDEX quality_scores_customer_ts ON quality_scores (customer_id, ts);
