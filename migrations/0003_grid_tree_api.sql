-- Grid-tree API: why a grid was retired (撤销), shown beside it for as long as
-- cases keep pointing at it. The audit log keeps who and when as well.
ALTER TABLE nodes ADD COLUMN retired_reason text;

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
