"""Rolling back a write transaction without hiding why it failed."""
from __future__ import annotations

import contextlib

import duckdb


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction. When a COMMIT fails (a write conflict, a full disk), DuckDB
    has already ended the transaction, and a ROLLBACK would raise "no transaction is active" in
    place of the error that matters; that one is left to be reported."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")
