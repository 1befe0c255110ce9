"""Several querysets read in one round trip to PostgreSQL.

A page that needs a handful of small lists (the complaint page: its clocks, timeline, OPD hops,
officers, ...) pays, on a busy server, more for the round trips than for the queries: each one
waits for the database process and then for this one to be scheduled again. ``evaluate_together``
sends their SQL as one statement list (psycopg's client-side binding runs it and returns one result
per statement) and hands each queryset its rows, which Django then turns into objects as it would
have (``select_related`` included). Elsewhere (SQLite, server-side binding, while an execute
wrapper such as pghistory's write context is active), or for a single queryset, each is simply
evaluated. The querysets are evaluated, so ``list(qs)`` afterwards costs no query.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections


def evaluate_together(*querysets) -> None:
    """Fill the result cache of each queryset (same database, not yet evaluated)."""
    pending = [qs for qs in querysets if qs._result_cache is None]
    if not pending:
        return
    db = pending[0].db
    connection = connections[db]
    one_by_one = (
        len(pending) == 1
        or connection.vendor != "postgresql"
        # server-side binding (an option of Django's backend) runs one statement per query
        or connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
        # a wrapper may rewrite or step through the results (pghistory's, during a write request)
        or connection.execute_wrappers
        or any(qs.db != db for qs in pending)
    )
    if one_by_one:
        for qs in pending:
            qs._fetch_all()
        return
    compiled = []
    for qs in pending:
        compiler = qs.query.get_compiler(using=db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            qs._result_cache = []
            continue
        compiled.append((qs, compiler, sql, params))
    if not compiled:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "; ".join(sql for _qs, _compiler, sql, _params in compiled),
            [p for *_, ps in compiled for p in ps],
        )
        for index, (qs, compiler, _sql, _params) in enumerate(compiled):
            # each statement's own result, or an error: never another statement's rows
            if index and not cursor.cursor.nextset():
                raise RuntimeError("evaluate_together: fewer results than statements")
            if cursor.description is None or len(cursor.description) < compiler.col_count:
                raise RuntimeError("evaluate_together: a result does not match its statement")
            rows = cursor.fetchall()
            # Django turns the rows into objects through the compiler that compiled the SQL.
            compiler.execute_sql = lambda *args, rows=rows, **kwargs: iter([rows])
            qs.query.get_compiler = lambda *args, compiler=compiler, **kwargs: compiler
            qs._fetch_all()
        if cursor.cursor.nextset():
            raise RuntimeError("evaluate_together: more results than statements")
