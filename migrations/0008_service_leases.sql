-- Background jobs that must run in one process at a time however many replicas share the store
-- (the embedded runtime scrapes every fleet: two scrapers would double its telemetry). A holder
-- keeps its lease by renewing it before `expires_at`, which is database time, so replicas' clocks
-- do not matter; a crashed holder's lease lapses and another replica takes over.
CREATE TABLE service_leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
