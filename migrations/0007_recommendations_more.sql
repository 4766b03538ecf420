-- Recommendations, continued: which agents must validate each one (its validation status is
-- derived from these and the stored validations), the analysis that produced it, and the
-- validate tasks' link to it (0004 created agent_tasks before 0005 created recommendations).
ALTER TABLE recommendations ADD COLUMN validators jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE recommendations ADD COLUMN analysis_id uuid REFERENCES analyses(id) ON DELETE SET NULL;
ALTER TABLE agent_tasks ADD CONSTRAINT agent_tasks_recommendation_fk
  FOREIGN KEY (recommendation_id) REFERENCES recommendations(id) ON DELETE CASCADE;
CREATE INDEX agent_tasks_recommendation ON agent_tasks (recommendation_id);
