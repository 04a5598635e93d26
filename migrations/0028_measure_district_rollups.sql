-- The roll-ups again without the category and channel columns, for the figures asked for most — a city's or a
-- district's, all categories, all channels: a year of a city is then ~60 month rows and ~150 day rows at its
-- ends instead of ~20,000 (measured with 1,000,000 cases, bench/measures.bench.ts). Kept by measure_compact()
-- from the same deltas as the others; `wangge verify measures` checks them against the recount too.
CREATE TABLE measure_district_day (
  city_code     text NOT NULL,
  day           date NOT NULL,
  district_code text NOT NULL,
  reported integer NOT NULL DEFAULT 0,
  responded_on_time integer NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  accepted_closed integer NOT NULL DEFAULT 0,
  resolved integer NOT NULL DEFAULT 0,
  resolved_on_time integer NOT NULL DEFAULT 0,
  reworked integer NOT NULL DEFAULT 0,
  dispatched integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0,
  rated integer NOT NULL DEFAULT 0,
  satisfied integer NOT NULL DEFAULT 0,
  lvl_grid integer NOT NULL DEFAULT 0,
  lvl_community integer NOT NULL DEFAULT 0,
  lvl_street integer NOT NULL DEFAULT 0,
  lvl_district integer NOT NULL DEFAULT 0,
  lvl_city integer NOT NULL DEFAULT 0,
  PRIMARY KEY (city_code, day, district_code)
);
CREATE TABLE measure_district_month (
  city_code     text NOT NULL,
  month         date NOT NULL,
  district_code text NOT NULL,
  reported integer NOT NULL DEFAULT 0,
  responded_on_time integer NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  accepted_closed integer NOT NULL DEFAULT 0,
  resolved integer NOT NULL DEFAULT 0,
  resolved_on_time integer NOT NULL DEFAULT 0,
  reworked integer NOT NULL DEFAULT 0,
  dispatched integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0,
  rated integer NOT NULL DEFAULT 0,
  satisfied integer NOT NULL DEFAULT 0,
  lvl_grid integer NOT NULL DEFAULT 0,
  lvl_community integer NOT NULL DEFAULT 0,
  lvl_street integer NOT NULL DEFAULT 0,
  lvl_district integer NOT NULL DEFAULT 0,
  lvl_city integer NOT NULL DEFAULT 0,
  PRIMARY KEY (city_code, month, district_code)
);

INSERT INTO measure_district_day (city_code, day, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
SELECT city_code, day, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM measure_rollup GROUP BY 1, 2, 3;
INSERT INTO measure_district_month (city_code, month, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
SELECT city_code, month, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM measure_month_rollup GROUP BY 1, 2, 3;

-- Folds up to `batch` deltas into every roll-up; returns how many it moved.
CREATE OR REPLACE FUNCTION measure_compact(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE moved_count integer;
BEGIN
  WITH moved AS (
    DELETE FROM measure_deltas WHERE id IN (SELECT id FROM measure_deltas ORDER BY id LIMIT batch FOR UPDATE SKIP LOCKED)
    RETURNING *
  ), agg AS (
    SELECT city_code, day, district_code, category_top, channel, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY city_code, day, district_code, category_top, channel
  ), magg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, district_code, category_top, channel, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3, 4, 5
  ), dagg AS (
    SELECT city_code, day, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3
  ), dmagg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, district_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3
  ), gagg AS (
    SELECT city_code, date_trunc('month', day)::date AS month, grid_code, sum(reported)::int, sum(responded_on_time)::int, sum(accepted)::int, sum(accepted_closed)::int, sum(resolved)::int, sum(resolved_on_time)::int, sum(reworked)::int, sum(dispatched)::int, sum(returned)::int, sum(rated)::int, sum(satisfied)::int, sum(lvl_grid)::int, sum(lvl_community)::int, sum(lvl_street)::int, sum(lvl_district)::int, sum(lvl_city)::int FROM moved GROUP BY 1, 2, 3
  ), gup AS (
    INSERT INTO measure_grid_rollup AS r (city_code, month, grid_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM gagg
    ON CONFLICT (city_code, month, grid_code) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), mup AS (
    INSERT INTO measure_month_rollup AS r (city_code, month, district_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM magg
    ON CONFLICT (city_code, month, district_code, category_top, channel) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), dup AS (
    INSERT INTO measure_district_day AS r (city_code, day, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM dagg
    ON CONFLICT (city_code, day, district_code) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), dmup AS (
    INSERT INTO measure_district_month AS r (city_code, month, district_code, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM dmagg
    ON CONFLICT (city_code, month, district_code) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  ), up AS (
    INSERT INTO measure_rollup AS r (city_code, day, district_code, category_top, channel, reported, responded_on_time, accepted, accepted_closed, resolved, resolved_on_time, reworked, dispatched, returned, rated, satisfied, lvl_grid, lvl_community, lvl_street, lvl_district, lvl_city)
    SELECT * FROM agg
    ON CONFLICT (city_code, day, district_code, category_top, channel) DO UPDATE SET reported = r.reported + EXCLUDED.reported, responded_on_time = r.responded_on_time + EXCLUDED.responded_on_time, accepted = r.accepted + EXCLUDED.accepted, accepted_closed = r.accepted_closed + EXCLUDED.accepted_closed, resolved = r.resolved + EXCLUDED.resolved, resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time, reworked = r.reworked + EXCLUDED.reworked, dispatched = r.dispatched + EXCLUDED.dispatched, returned = r.returned + EXCLUDED.returned, rated = r.rated + EXCLUDED.rated, satisfied = r.satisfied + EXCLUDED.satisfied, lvl_grid = r.lvl_grid + EXCLUDED.lvl_grid, lvl_community = r.lvl_community + EXCLUDED.lvl_community, lvl_street = r.lvl_street + EXCLUDED.lvl_street, lvl_district = r.lvl_district + EXCLUDED.lvl_district, lvl_city = r.lvl_city + EXCLUDED.lvl_city
    RETURNING 1
  )
  SELECT count(*) INTO moved_count FROM moved;
  RETURN moved_count;
END $$;
