-- Grid-tree API: why a grid was retired (撤销), shown beside it for as long as
-- cases keep pointing at it. The audit log keeps who and when as well.
ALTER TABLE nodes ADD COLUMN retired_reason text;
