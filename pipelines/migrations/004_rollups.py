"""Rollup twins of the aggregate tables (see pipelines/aggregates.py): the same sums with the
people columns summed away, tagged by grain, filled here from the existing aggregate rows."""


def upgrade(con) -> None:
    from pipelines.aggregates import ROLLUP_KEYS, fill_rollups

    for table in ROLLUP_KEYS:
        # Same columns as the fine table plus grain; team / role / location are NULL where summed away.
        con.execute(f"CREATE TABLE {table}_rollup AS SELECT NULL::VARCHAR AS grain, * FROM {table} LIMIT 0")
        con.execute(f"ALTER TABLE {table}_rollup ALTER COLUMN grain SET NOT NULL")
    any_rows = " UNION ALL ".join(f"SELECT 1 FROM (SELECT 1 FROM {table} LIMIT 1)" for table in ROLLUP_KEYS)
    if con.execute(f"SELECT count(*) FROM ({any_rows})").fetchall()[0][0]:  # a new database has none to sum
        fill_rollups(con)
