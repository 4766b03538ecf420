-- Completed changes settled against the imported FOCUS bill (issue 11 item 4): written when an
-- import covers the day before a change and the day after it settled; the dashboard's and the
-- reports' realized savings read the settled figure where there is one, the provisional run-rate
-- figure of the workflow's result elsewhere.
CREATE TABLE bill_settlements (
  optimization_id uuid PRIMARY KEY REFERENCES workflow_runs(id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  actual_savings double precision NOT NULL,
  monthly_cost_before double precision NOT NULL,
  monthly_cost_after double precision NOT NULL,
  settled_at timestamptz NOT NULL
);
CREATE INDEX bill_settlements_customer ON bill_settlements (customer_id);
