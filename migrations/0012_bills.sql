-- Imported billing exports in FOCUS 1.x (one row per import, its lines beside it). An import is
-- written in one transaction: a file with one bad row stores nothing.
CREATE TABLE bill_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  format text NOT NULL CHECK (format IN ('focus')),
  rows integer NOT NULL CHECK (rows > 0),
  currency text NOT NULL,
  billing_period_start timestamptz NOT NULL,
  billing_period_end timestamptz NOT NULL,
  total_effective_cost double precision NOT NULL,
  total_billed_cost double precision NOT NULL,
  imported_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX bill_imports_by_customer ON bill_imports (customer_id, created_at DESC);

CREATE TABLE bill_lines (
  import_id uuid NOT NULL REFERENCES bill_imports(id) ON DELETE CASCADE,
  line integer NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  charge_period_start timestamptz NOT NULL,
  charge_period_end timestamptz NOT NULL,
  charge_category text NOT NULL,
  pricing_category text,
  resource_id text,
  service_name text,
  sku_id text,
  provider_name text,
  region_id text,
  billed_cost double precision NOT NULL,
  effective_cost double precision NOT NULL,
  PRIMARY KEY (import_id, line)
);
CREATE INDEX bill_lines_by_resource ON bill_lines (customer_id, resource_id, charge_period_start);
