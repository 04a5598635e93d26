-- The queue's first page under a node, newest first, straight from an index at every level (measured with
-- 1,000,000 cases, bench/queue.bench.ts). Codes nest and each level has its own code length (6 district,
-- 9 street, 12 community, 15 grid), so "under the node" is left(node_code, <its length>) = <its code>; one
-- ordered index per level answers the page without sorting the subtree's cases (a street's 15,000 took 5–8 ms
-- through the city-wide index or a prefix range). They carry the state and clock colour, so the counts by
-- state under a node read them alone; that makes the prefix range of 0016 redundant.
CREATE INDEX cases_district_created_idx ON cases (city_code, left(node_code, 6), created_at DESC, id DESC) INCLUDE (status, clock_colour);
CREATE INDEX cases_street_created_idx ON cases (city_code, left(node_code, 9), created_at DESC, id DESC) INCLUDE (status, clock_colour);
CREATE INDEX cases_community_created_idx ON cases (city_code, left(node_code, 12), created_at DESC, id DESC) INCLUDE (status, clock_colour);
CREATE INDEX cases_grid_created_idx ON cases (city_code, left(node_code, 15), created_at DESC, id DESC) INCLUDE (status, clock_colour);
DROP INDEX cases_city_node_code_idx;

-- A department's queue, newest first: its lead cases in index order (the co-handled ones are few and are read
-- through case_assignments). Replaces (handler_department_id, status), whose lookups this serves as well.
CREATE INDEX cases_department_created_idx ON cases (handler_department_id, created_at DESC, id DESC) INCLUDE (status, clock_colour)
  WHERE handler_department_id IS NOT NULL;
DROP INDEX cases_department_idx;
