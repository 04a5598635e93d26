-- The queue and the counts below a node test a node-code prefix within the city (codes nest); this b-tree
-- serves that range, and carries the state and clock colour so counts by state are index-only.
CREATE INDEX cases_city_node_code_idx ON cases (city_code, node_code text_pattern_ops) INCLUDE (status, clock_colour);
