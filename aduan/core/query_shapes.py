"""Querysets whose SQL is built and compiled once per process, not on every request.

A staff page reads the same small lists on every request (the complaint page: its clocks, timeline,
hops, notes...), only an id changing. Django builds each queryset (``filter``, ``select_related``)
and compiles its SQL anew every time: on the complaint page that was about a fifth of the
server's time (3.3 of 16.9 ms for ~10 compilations, bench/README.md, tenth pass).

``QueryShape(build, int)`` wraps a function of its arguments that returns a queryset whose SQL does
not depend on the argument values (an id in a filter, constant flags and orderings: a *shape*).
Its first evaluation in a process compiles ``build`` twice, with two sets of sentinel values, and checks
that the SQL is the same and that each argument lands in its own parameter; a build whose SQL
depends on its values (``__in`` with a list, a ``None`` that becomes ``IS NULL``...) is refused with
a ``ValueError`` at that first evaluation, so it is found by the first test that reaches it. Every call
after that returns a fresh queryset that runs the cached SQL with the call's values; its rows become
objects through Django's own compiler state (``select_related``, annotations, converters), exactly
as a normal evaluation would. A shaped queryset is for evaluating (``list()``, iteration,
``aduan.workspace.batch.evaluate_together``): refining it (``filter``, ``count``, ``first``...)
raises ``TypeError``, since that would run the old SQL.

``ShapesBySize(build)`` is for builds that take lists of ids (``pk__in=ids``, a user's Pemdas):
one QueryShape per tuple of list lengths, made the first time those lengths come.
"""

import copy
import threading
from datetime import UTC, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

# Two sentinel values per argument and kind, distinct from each other and from anything real.
_SENTINELS = {
    int: lambda index, round_: 1_900_000_001 + 10 * index + round_,
    str: lambda index, round_: f"\x1fshape-{index}-{round_}\x1f",
    datetime: lambda index, round_: datetime(1901, 1, 1, tzinfo=UTC) + timedelta(days=index, seconds=round_),
}


REFUSED = "a shaped queryset cannot be refined (it would run the shape's SQL): give QueryShape another build"


class ShapedQuerySet(QuerySet):
    """The queryset a QueryShape hands out: evaluate it; refining it would run the shape's SQL."""

    def _chain(self):
        raise TypeError(REFUSED)

    _clone = _chain

    def __repr__(self):
        if self._result_cache is None:
            return f"<ShapedQuerySet of {self.model.__name__}, not evaluated>"
        return super().__repr__()


PER_CALL = object()  # a vendor on which the shape's check failed: compile each time (not PostgreSQL)


def _empty(*args, **kwargs):
    raise EmptyResultSet  # Django's evaluation answers it with no rows, without a query


class ShapedQuery(Query):
    """The query of a ShapedQuerySet: compiled by its shape with its values. Every way to derive
    another query from it (count, exists, aggregate, update...) starts with ``clone``: refused."""

    shape = None
    values = ()

    def clone(self):
        raise TypeError(REFUSED)

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        if connection is None:
            connection = connections[using]
        compiled, sql, slots = self.shape._compile(connection)
        if sql is PER_CALL:
            return self.shape.build(*self.values).query.get_compiler(using, connection, elide_empty)
        params = tuple(self.values[value] if kind == "arg" else value for kind, value in slots)
        compiler = copy.copy(compiled)  # its state after compiling: select, klass_info, converters
        compiler.connection, compiler.using, compiler.query = connection, using, self
        compiler.as_sql = _empty if sql is None else lambda *args, **kwargs: (sql, params)
        return compiler


class QueryShape:
    def __init__(self, build, *kinds: type):
        if not kinds or any(kind not in _SENTINELS for kind in kinds):
            raise ValueError(
                f"QueryShape arguments must be of the kinds {sorted(k.__name__ for k in _SENTINELS)}"
            )
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, tuple] = {}  # vendor -> (compiler, sql, slots)
        self._template = None
        self._lock = threading.Lock()

    def _compile(self, connection):
        """What ``_check`` found for this vendor. PostgreSQL passes the values to the SQL as they
        were given; another database may adapt them first (SQLite: datetimes become text), and
        there a build that fails the check is simply compiled on every call (the quick start)."""
        found = self._compiled.get(connection.vendor)
        if found is not None:
            return found
        try:
            return self._check(connection)
        except ValueError:
            if connection.vendor == "postgresql":
                raise
            found = self._compiled[connection.vendor] = (None, PER_CALL, ())
            return found

    def _check(self, connection):
        """(compiler, sql, slots) for this database vendor; slots: for each parameter,
        ("arg", index) or ("const", value)."""
        with self._lock:
            found = self._compiled.get(connection.vendor)
            if found is not None:  # another thread checked it meanwhile
                return found
            rounds = []
            for round_ in (0, 1):
                values = [_SENTINELS[kind](index, round_) for index, kind in enumerate(self.kinds)]
                compiler = self.build(*values).query.get_compiler(connection=connection)
                try:
                    sql, params = compiler.as_sql()
                except EmptyResultSet:  # e.g. pk__in=[]: no row, whatever the values
                    sql, params = None, ()
                rounds.append((values, compiler, sql, list(params)))
            (values_a, compiler, sql, params_a), (values_b, _c, sql_b, params_b) = rounds
            if sql != sql_b or len(params_a) != len(params_b):
                raise ValueError(f"{self.build!r}: its SQL depends on the values of its arguments")
            if sql is None:
                found = self._compiled[connection.vendor] = (compiler, None, ())
                return found
            slots = []
            for a, b in zip(params_a, params_b, strict=True):
                if a in values_a:
                    index = values_a.index(a)
                    if b != values_b[index]:
                        raise ValueError(f"{self.build!r}: an argument is not passed as it was given")
                    slots.append(("arg", index))
                elif a == b:
                    slots.append(("const", a))
                else:
                    raise ValueError(f"{self.build!r}: a parameter changes with the arguments")
            used = {index for kind, index in slots if kind == "arg"}
            if used != set(range(len(self.kinds))):
                raise ValueError(f"{self.build!r}: an argument does not reach its SQL")
            found = (compiler, sql, tuple(slots))
            self._compiled[connection.vendor] = found
            return found

    def __call__(self, *args, known: dict | None = None) -> ShapedQuerySet:
        """A queryset of the shape with these values. ``known``: related objects already in hand
        (field name → instance), set on every row as a related manager would."""
        if len(args) != len(self.kinds):
            raise TypeError(f"{len(self.kinds)} arguments expected, {len(args)} given")
        for arg, kind in zip(args, self.kinds, strict=True):
            if not isinstance(arg, kind):  # None too: it would need IS NULL, another shape
                raise TypeError(f"a {kind.__name__} expected, got {arg!r}")
        template = self._template
        if template is None:  # built once with sentinel values, never run as it is
            self._template = template = self.build(*(_SENTINELS[k](i, 0) for i, k in enumerate(self.kinds)))
        queryset = ShapedQuerySet.__new__(ShapedQuerySet)
        queryset.__dict__ = template.__dict__.copy()
        query = queryset._query = template.query.clone()
        query.__class__ = ShapedQuery
        query.shape, query.values = self, args
        if known:
            queryset._known_related_objects = {
                query.model._meta.get_field(name): {obj.pk: obj} for name, obj in known.items()
            }
        return queryset


class ShapesBySize:
    """QueryShapes of ``build(*lists_of_ids)``: one per tuple of the lists' lengths (the SQL of
    ``pk__in`` has a placeholder per id). Past ``max_shapes`` different lengths in a process, the
    build's own queryset is returned (compiled as Django always does)."""

    def __init__(self, build, *, max_shapes: int = 64):
        self.build = build
        self.max_shapes = max_shapes
        self._shapes: dict[tuple[int, ...], QueryShape] = {}

    def __call__(self, *lists):
        sizes = tuple(len(ids) for ids in lists)
        shape = self._shapes.get(sizes)
        if shape is None:
            if len(self._shapes) >= self.max_shapes or not sum(sizes):
                return self.build(*lists)
            shape = self._shapes[sizes] = QueryShape(_Split(self.build, sizes), *(int,) * sum(sizes))
        return shape(*(i for ids in lists for i in ids))


class _Split:
    """``build`` called with the flat ids cut back into lists of ``sizes``."""

    def __init__(self, build, sizes):
        self.build, self.sizes = build, sizes

    def __call__(self, *flat):
        lists, start = [], 0
        for size in self.sizes:
            lists.append(list(flat[start : start + size]))
            start += size
        return self.build(*lists)

    def __repr__(self):
        return f"{self.build!r} with lists of {self.sizes}"
