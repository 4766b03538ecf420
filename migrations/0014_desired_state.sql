-- Desired state per deployment (issue 10): the spec OptiInfra keeps the deployment at (pools,
-- engine configuration, SLO) and an integer generation that every executed change increments.
-- `field_generations` records, per field a change touched ("pools", "engine.quantization", ...),
-- the generation that last changed it: a recommendation computed on generation g is superseded
-- exactly when a field it touches has a later generation.
CREATE TABLE desired_states (
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  deployment_id text NOT NULL,
  generation integer NOT NULL DEFAULT 1 CHECK (generation >= 1),
  spec jsonb NOT NULL,
  field_generations jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_change jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, deployment_id)
);

-- A recommendation is a delta: the fields it changes, the generation it was computed on, and the
-- group of alternatives it excludes (several ways to change one deployment's capacity).
ALTER TABLE recommendations ADD COLUMN base_generation integer;
ALTER TABLE recommendations ADD COLUMN touches jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE recommendations ADD COLUMN exclusive_group text;
CREATE INDEX recommendations_exclusive_group ON recommendations (customer_id, exclusive_group) WHERE status = 'pending';
