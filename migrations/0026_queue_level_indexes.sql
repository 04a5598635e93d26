-- The queue's first page under a node, newest first, straight from an index at every level (measured with
-- 1,000,000 cases, bench/queue.bench.ts). Codes nest and each level has its own code length (6 district,
-- 9 street, 12 community, 15 grid), so "under the node" is left(node_code, <its length>) = <its code>; one
-- ordered index per level answers the page without sorting the subtree's cases (a street's 15,000 took 5–8 ms
-- through the city-wide index or a prefix range). The counts by state keep using 0016's prefix range, which
-- they read alone (an expression index cannot answer them without the heap).
CREATE INDEX cases_district_created_idx ON cases (city_code, left(node_code, 6), created_at DESC, id DESC);
CREATE INDEX cases_street_created_idx ON cases (city_code, left(node_code, 9), created_at DESC, id DESC);
CREATE INDEX cases_community_created_idx ON cases (city_code, left(node_code, 12), created_at DESC, id DESC);
CREATE INDEX cases_grid_created_idx ON cases (city_code, left(node_code, 15), created_at DESC, id DESC);

-- Open cases only (a few per cent of all): a node's open queue is a prefix range here and a sort of its few
-- open cases, where the per-level index would walk past every closed case of the subtree first.
CREATE INDEX cases_open_node_idx ON cases (city_code, node_code text_pattern_ops) INCLUDE (created_at, handle_due_at)
  WHERE status NOT IN ('closed','rejected','cancelled','merged');

-- A department's queue, newest first: its lead cases in index order, one department at a time (the co-handled
-- ones are few and are read through case_assignments). Replaces (handler_department_id, status), whose
-- lookups this serves as well.
CREATE INDEX cases_department_created_idx ON cases (handler_department_id, created_at DESC, id DESC) INCLUDE (status, clock_colour)
  WHERE handler_department_id IS NOT NULL;
DROP INDEX cases_department_idx;
