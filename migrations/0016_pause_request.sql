-- A human's request to pause a running rollout (issue 14 item 5, Argo's manual pause). A column,
-- not a context field: the worker holding the run rewrites its context when its step ends, and
-- the request must survive that, as `abort_requested` does.
ALTER TABLE workflow_runs ADD COLUMN pause_requested text;
