"""A Core statement run on SQLite's own connection, for the few statements a busy path runs on every request.

SQLAlchemy's execution of an already-built statement still costs ≈ 75 Python calls (its execution context, the
engine's event dispatch — SQLite's engines listen to every BEGIN/COMMIT for their writer turn — the cursor's result
wrapper); a quarterly report runs about ten, a third of its calls (docs/benchmarks.md). `Fast` compiles the
statement once per set of parameter names with SQLAlchemy and keeps SQLAlchemy's own type conversions (each bind
parameter's and each selected column's processors for the dialect), then runs it on the connection's DBAPI
connection: the same SQL, the same values stored and read back, in the same transaction (the Connection has begun
it). A DBAPI error is raised as SQLAlchemy raises it (`IntegrityError`, `OperationalError`: `DBAPIError.instance`).

Anything else runs through SQLAlchemy as before: another database than SQLite, and a statement whose execution
would add values of its own (a column default, an expanding IN) — SQLAlchemy's execution context supplies those.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

Row = tuple[Any, ...]


@dataclass(frozen=True)
class _Form:
    """The statement compiled for one set of parameter names."""

    sql: str
    names: tuple[str, ...]  # the bind parameters, in their positions
    binds: tuple[Callable[[Any], Any] | None, ...]
    results: tuple[Callable[[Any], Any] | None, ...] | None  # None: not a SELECT
    columns: tuple[str, ...]
    fast: bool  # False: leave it to SQLAlchemy (see the module's doc)


class Fast:
    """`statement` (insert, update or select with named bind parameters), run with `rows`/`run`."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._forms: dict[tuple[str, frozenset[str]], _Form] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Row]:
        """The rows a SELECT gives, each value converted as SQLAlchemy converts it."""
        form = self._form(conn, params)
        if not form.fast:
            return [tuple(r) for r in conn.execute(self.statement, dict(params))]
        cursor = self._execute(conn, form, [params], many=False)
        try:
            found = cursor.fetchall()
        finally:
            cursor.close()
        results = form.results or ()
        if not any(results):
            return [tuple(r) for r in found]
        # list comprehensions, not generators: a generator resumed per value costs a call each
        return [tuple([v if fn is None else fn(v) for fn, v in zip(results, r, strict=True)]) for r in found]

    def mappings(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """`rows`, each as {column name: value}."""
        columns = self._form(conn, params).columns
        return [dict(zip(columns, r, strict=True)) for r in self.rows(conn, params)]

    def run(self, conn: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
        """An INSERT or UPDATE, once or (a list of parameter sets, each with the same names) as an executemany."""
        many = not isinstance(params, Mapping)
        sets: Sequence[Mapping[str, Any]] = params if many else [params]  # type: ignore[assignment,list-item]
        if not sets:
            return
        form = self._form(conn, sets[0])
        if not form.fast:
            conn.execute(self.statement, [dict(p) for p in sets] if many else dict(sets[0]))
            return
        self._execute(conn, form, sets, many=many).close()

    def _form(self, conn: Connection, params: Mapping[str, Any]) -> _Form:
        key = (conn.dialect.name, frozenset(params))
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = _compile(self.statement, conn, params)
        return form

    @staticmethod
    def _execute(conn: Connection, form: _Form, sets: Sequence[Mapping[str, Any]], *, many: bool) -> Any:
        binds = tuple(zip(form.names, form.binds, strict=True))
        rows = [[p[name] if fn is None else fn(p[name]) for name, fn in binds] for p in sets]  # see `rows`
        raw = conn.connection.dbapi_connection
        assert raw is not None
        try:
            if many:
                return raw.executemany(form.sql, rows)
            return raw.execute(form.sql, rows[0])
        except conn.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                form.sql, rows if many else rows[0], exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
            ) from exc


def _compile(statement: Executable, conn: Connection, params: Mapping[str, Any]) -> _Form:
    dialect = conn.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(params))  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup or ())
    binds = compiled.binds
    fast = (
        dialect.name == "sqlite"
        and dialect.paramstyle == "qmark"
        and not compiled.insert_prefetch
        and not compiled.update_prefetch
        and not getattr(compiled, "postfetch", None)
        and all(name in params and not binds[name].expanding for name in names)
    )
    processors = tuple(binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    if isinstance(statement, Select):
        selected = statement.selected_columns
        results: tuple[Callable[[Any], Any] | None, ...] | None = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected
        )
        columns = tuple(str(c.key) for c in selected)
    else:
        results, columns = None, ()
    return _Form(compiled.string, names, processors, results, columns, fast)
