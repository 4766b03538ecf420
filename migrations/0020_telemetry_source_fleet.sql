-- What a telemetry source's last successful poll found in the cluster (issue 11 item 3): each
-- deployment with its model, pods per serving group and the nodes they run on, with instance type,
-- capacity type and cloud instance id read from kube-state-metrics through the customer's Prometheus.
ALTER TABLE telemetry_sources ADD COLUMN fleet jsonb NOT NULL DEFAULT '[]';
ALTER TABLE telemetry_sources ADD COLUMN cluster_state boolean NOT NULL DEFAULT false;
