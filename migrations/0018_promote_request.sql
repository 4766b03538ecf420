-- A human's request to promote a baking canary past its current analysis (issue 14 item 5, Argo's
-- `promote`): which step, by whom, when. A column, like `pause_requested`, so the worker holding
-- the run cannot overwrite it when its step ends; the step it names reads it.
ALTER TABLE workflow_runs ADD COLUMN promote_requested jsonb;
