-- The twin's hidden per-deployment variation (issue 11 item 2): how a simulated deployment really
-- serves differs from its registration (GPU efficiency, request rate, prompt and answer lengths).
-- Drawn once when the deployment is first registered with variation on; NULL serves as registered.
-- Only the simulator reads it; the agents learn it from telemetry.
ALTER TABLE sim_deployments ADD COLUMN hidden jsonb;
