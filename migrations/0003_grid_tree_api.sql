-- Grid-tree API: why a grid was retired (撤销), shown beside it for as long as
-- cases keep pointing at it. The audit log keeps who and when as well.
ALTER TABLE nodes ADD COLUMN retired_reason text;

-- Lookups by code alone (the session's role grants join nodes on it, and so do
-- many modules) would otherwise scan the table: the primary key leads with
-- city_code. Measured with 100,000 grids: every signed-in request paid a
-- sequential scan of nodes before this index.
CREATE INDEX nodes_code_idx ON nodes (code);

-- Locate looks for the deepest grid first and, only for a point outside every
-- grid, for the deepest division. Two partial GiST indexes instead of one:
-- the few huge division boxes (a district, a city) overlap every grid, and in
-- a shared tree they make each point probe visit about three times as many
-- pages (measured: ~12 buffers per probe on the shared index, ~4 on the grid
-- one, with 100,000 grids). Their predicates repeat nodes_boundary_gist's and
-- add the depth range; queries must repeat them to use them.
CREATE INDEX nodes_grid_boundary_gist ON nodes USING gist (boundary)
  WHERE status = 'active' AND boundary IS NOT NULL AND depth >= 6;
CREATE INDEX nodes_division_boundary_gist ON nodes USING gist (boundary)
  WHERE status = 'active' AND boundary IS NOT NULL AND depth < 6;

-- 落格: the deepest active node whose boundary contains a WGS-84 point, with
-- its path (root first, as JSON). Grids first (grid, unit, cell: depth ≥ 6);
-- only for a point outside every grid, the divisions, whose candidates are
-- sorted by depth on their boxes before any polygon is read, so that a
-- district's thousands of vertices are read only for points outside its
-- communities. ST_Intersects counts a point on an edge as inside; the code
-- breaks ties between neighbours sharing that edge. In PL/pgSQL so that each
-- connection plans these statements once (planning cost as much as running
-- them). ROWS 1: the default estimate of 1000 rows would push callers past
-- the JIT thresholds. The batch locate in locate.repository.ts runs the same
-- two steps inline; keep them in step.
CREATE FUNCTION locate_node(p_lng float8, p_lat float8)
RETURNS TABLE (code text, name text, level text, kind text, path json)
LANGUAGE plpgsql STABLE ROWS 1 AS $$
#variable_conflict use_column
DECLARE
  pt geometry := ST_SetSRID(ST_MakePoint(p_lng, p_lat), 4326);
  hit record;
BEGIN
  SELECT n.code, n.name, n.level, n.kind, n.path INTO hit FROM nodes n
   WHERE n.status = 'active' AND n.boundary IS NOT NULL AND n.depth >= 6
     AND ST_Intersects(n.boundary, pt)
   ORDER BY n.depth DESC, n.code LIMIT 1;
  IF NOT FOUND THEN
    SELECT c.code, c.name, c.level, c.kind, c.path INTO hit FROM (
      SELECT n.code, n.name, n.level, n.kind, n.path, n.depth, n.boundary FROM nodes n
       WHERE n.status = 'active' AND n.boundary IS NOT NULL AND n.depth < 6
         AND n.boundary && pt
       ORDER BY n.depth DESC, n.code OFFSET 0
    ) c
     WHERE ST_Intersects(c.boundary, pt) LIMIT 1;
    IF NOT FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    SELECT hit.code, hit.name, hit.level, hit.kind,
           (SELECT json_agg(json_build_object('code', a.code, 'name', a.name, 'level', a.level) ORDER BY a.depth)
              FROM nodes a WHERE a.code = ANY (string_to_array(hit.path::text, '.')));
END $$;
