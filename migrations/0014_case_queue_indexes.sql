-- Indexes for the case queue (measured with 1,000,000 cases, bench/queue.bench.ts):
-- the newest-first page of a city or district without a sort of every row,
-- the same for open cases only, handler lookups, and co-handler lookups.
CREATE INDEX cases_city_created_idx ON cases (city_code, created_at DESC, id DESC);
CREATE INDEX cases_open_created_idx ON cases (city_code, created_at DESC, id DESC)
  WHERE status NOT IN ('closed','rejected','cancelled','merged');
CREATE INDEX cases_handler_node_idx ON cases (handler_node_code, status) WHERE handler_node_code IS NOT NULL;
CREATE INDEX case_assignments_department_idx ON case_assignments (department_id, case_id);
CREATE INDEX cases_duplicates_idx ON cases (city_code, category_code, created_at)
  WHERE status NOT IN ('closed','rejected','cancelled','merged');
