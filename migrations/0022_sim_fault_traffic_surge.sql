-- The simulator's traffic_surge fault (a request-rate multiplier: load swings the agents must follow).
ALTER TABLE sim_faults DROP CONSTRAINT IF EXISTS sim_faults_kind_check;
ALTER TABLE sim_faults ADD CONSTRAINT sim_faults_kind_check
  CHECK (kind IN ('quality_degradation', 'latency_spike', 'error_burst', 'spot_interruption', 'launch_failure', 'capacity_shortage', 'traffic_surge'));
