"""Which table a join reads first, said in SQL both databases take.

SQLite with no statistics (the embedded database never runs ANALYZE) guesses that an indexed
equality such as `payments.run_id = ?` matches about ten rows, so it drives every join from
it, even when that is a whole council's run (92,000 payments) and the other side is the
tenth of them it needs (the 9,000 people whose money an organisation manages). SQLite's
documented way to choose instead is CROSS JOIN: "the left-hand table of a CROSS JOIN is
always in an outer loop relative to the right-hand table" (sqlite.org/optoverview.html,
"Manual Control Of Query Plans Using CROSS JOIN"). PostgreSQL reads `a CROSS JOIN b WHERE
...` as the inner join it is and plans it from its statistics, as before.

SQLAlchemy has no CROSS JOIN of its own: `cross_join(a, b)` renders one, and the statement
puts the join's conditions in its WHERE clause (a CROSS JOIN has no ON).
"""

from __future__ import annotations

from sqlalchemy import true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import FromClause, Join


class CrossJoin(Join):
    """`left CROSS JOIN right`: read `left` first on SQLite (see the module's docstring)."""

    inherit_cache = True

    def __init__(self, left: FromClause, right: FromClause):
        super().__init__(left, right, onclause=true())


@compiles(CrossJoin)
def _cross_join(element: CrossJoin, compiler, **kw) -> str:
    kw["asfrom"] = True
    return (
        f"{compiler.process(element.left, **kw)} CROSS JOIN {compiler.process(element.right, **kw)}"
    )


def cross_join(left: FromClause, right: FromClause) -> CrossJoin:
    return CrossJoin(left, right)
