"""Full-text search ignores accents on both engines, as /ask's own index does since 0016.

"Lodz" finds "Łódź", "Gudrun" "Guðrún", "Beyonce" "Beyoncé": the letters map as
``bot.digest.fold.fold`` maps them (tested letter by letter).

- SQLite: FTS5's tokenizer (``remove_diacritics 2``) drops most accents but keeps the letters
  below. The triggers index ``title`` and ``text`` with those letters replaced (the table holds
  them as written), and the articles holding any are indexed again; queries are folded by the code.
  FTS5's ``rebuild`` would index those letters as written again: run this migration's downgrade
  and upgrade instead.
- PostgreSQL: a text search configuration ``briefing``, English with the ``unaccent`` dictionary
  before the stemmer, and ``search_vector`` computed again with it (the table is rewritten: 38 s
  for ``benchmarks/archive.py``'s 100,000 articles). ``unaccent`` ships with PostgreSQL
  (contrib) and is a trusted extension: whoever may create objects in the database may install
  it. When it cannot be installed, ``briefing`` is plain English, a warning points to the
  README's steps to add it later, and search keeps matching accents exactly, as before.

The answer index is analysed again too: its fold now also maps ð, þ, ħ, ŧ, ŋ and ŀ.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# The letters FTS5's unicode61 tokenizer keeps whole that fold to other letters (as
# bot.digest.fold.fold mapped them when this was written); it lower-cases the rest.
FTS5_UNFOLDED = {
    "Æ": "AE", "æ": "ae", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o", "Þ": "TH", "þ": "th",
    "ß": "ss", "ẞ": "SS", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ĳ": "IJ", "ĳ": "ij",
    "Ŀ": "L", "ŀ": "l", "Ł": "L", "ł": "l", "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T",
    "ŧ": "t", "Ǆ": "DZ", "ǅ": "Dz", "ǆ": "dz", "Ǉ": "LJ", "ǈ": "Lj", "ǉ": "lj", "Ǌ": "NJ",
    "ǋ": "Nj", "ǌ": "nj", "Ǡ": "A", "ǡ": "a", "Ǳ": "DZ", "ǲ": "Dz", "ǳ": "dz", "ﬀ": "ff",
    "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
}  # fmt: skip
# Articles holding any of them: the only ones whose index entries change.
_HOLDING = "coalesce(title, '') || coalesce(text, '') GLOB '*[{}]*'".format("".join(FTS5_UNFOLDED))

_UNACCENT_LOCK = 0x42524955  # "BRIU": one installer of the extension at a time, per database
_INSTALLED = text(
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'unaccent'"
)


def upgrade() -> None:
    """Fold the full-text index's letters; analyse the answer index again."""
    _forget_answer_index()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_index(folded=True)
    else:
        _postgres_config()
        _postgres_vector("briefing")


def downgrade() -> None:
    """Index the letters as written again."""
    _forget_answer_index()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_index(folded=False)
    else:
        _postgres_vector("english")
        op.execute("DROP TEXT SEARCH CONFIGURATION briefing")


def _forget_answer_index() -> None:
    # As 0016: the catch-up job analyses the archive again ('' is the total row).
    op.execute("DELETE FROM answer_postings")
    op.execute("DELETE FROM answer_terms WHERE term <> ''")
    op.execute("UPDATE answer_terms SET articles = 0, length = 0 WHERE term = ''")
    op.execute("DELETE FROM answer_docs")


_DEPTH = 16  # replace() calls nested in one expression: SQLite's parser allows about 30


def _rows(id_: str, title: str, body: str, source: str, *, folded: bool) -> str:
    """SELECT id, title, text from ``source``, the letters folded (or as written): nested
    subqueries of at most ``_DEPTH`` replacements each."""
    if not folded:
        return f"SELECT {id_} AS id, {title} AS title, {body} AS text{source}"
    letters = list(FTS5_UNFOLDED.items())
    sql = ""
    for start in range(0, len(letters), _DEPTH):
        chunk = letters[start : start + _DEPTH]
        t, b = (title, body) if not sql else ("title", "text")
        for letter, base in chunk:
            t, b = (f"replace({c}, '{letter}', '{base}')" for c in (t, b))
        head = f"SELECT {id_ if not sql else 'id'} AS id, {t} AS title, {b} AS text"
        sql = f"{head}{source}" if not sql else f"{head} FROM ({sql})"
    return sql


def _sqlite_index(*, folded: bool) -> None:
    """Triggers that index the letters folded (or as written), and the articles holding them
    indexed so: their old entries deleted with the values they were made from."""

    def entries(row: str) -> str:
        return _rows(f"{row}.id", f"{row}.title", f"{row}.text", "", folded=folded)

    fts = "INSERT INTO articles_fts(articles_fts, rowid, title, text)"
    delete = f"{fts} SELECT 'delete', id, title, text FROM ({entries('old')});"
    insert = f"INSERT INTO articles_fts(rowid, title, text) {entries('new')};"
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER articles_fts_{name}")
    op.execute(f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {delete} END")
    op.execute(
        "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles "
        f"BEGIN {delete} {insert} END"
    )
    holding = f" FROM articles WHERE {_HOLDING}"
    was = _rows("id", "title", "text", holding, folded=not folded)
    op.execute(f"{fts} SELECT 'delete', id, title, text FROM ({was})")
    now = _rows("id", "title", "text", holding, folded=folded)
    op.execute(f"INSERT INTO articles_fts(rowid, title, text) SELECT id, title, text FROM ({now})")


def _postgres_config() -> None:
    """The ``briefing`` configuration: English, with ``unaccent`` before the stemmer when the
    extension is (or can be) installed."""
    op.execute("CREATE TEXT SEARCH CONFIGURATION briefing (COPY = pg_catalog.english)")
    schema = _unaccent_schema(op.get_bind())
    if schema is None:
        return
    dictionary = f'"{schema}".unaccent'
    # Only words with letters beyond ASCII can hold accents: the ASCII token types keep their
    # dictionaries; words with digits ("Łódź2029") stay unstemmed, as in english.
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION briefing ALTER MAPPING FOR hword, hword_part, word "
        f"WITH {dictionary}, english_stem"
    )
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION briefing ALTER MAPPING FOR numhword, hword_numpart, "
        f"numword WITH {dictionary}, simple"
    )


def _unaccent_schema(conn: Connection) -> str | None:
    """The schema of the ``unaccent`` extension, installed if need be (in ``public``, else the
    current schema); None, with a warning, when it cannot be."""
    schema = conn.scalar(_INSTALLED)
    if schema is not None:
        return str(schema)
    conn.execute(text("SELECT pg_advisory_xact_lock(:key, 0)"), {"key": _UNACCENT_LOCK})
    schema = conn.scalar(_INSTALLED)  # installed meanwhile by another schema's migration
    if schema is not None:
        return str(schema)
    failure: DBAPIError | None = None
    for target in ("public", conn.scalar(text("SELECT current_schema()"))):
        try:
            with conn.begin_nested():
                conn.execute(text(f'CREATE EXTENSION unaccent SCHEMA "{target}"'))
        except DBAPIError as exc:
            failure = exc
            continue
        return str(target)
    log.warning(
        "PostgreSQL's unaccent extension could not be installed (%s): search matches accents "
        'exactly. To fold them later, see "Accents on PostgreSQL" in the README.',
        str(getattr(failure, "orig", failure)).splitlines()[0],
    )
    return None


def _postgres_vector(config: str) -> None:
    """``search_vector`` computed again with ``config`` (as 0001 made it), and its statistics,
    which the search's planning reads (``bot.store.budget``)."""
    op.execute("DROP INDEX ix_articles_search_vector")
    op.execute("ALTER TABLE articles DROP COLUMN search_vector")
    op.execute(
        f"""ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{config}'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('{config}'::regconfig, left(coalesce(text, ''), 200000)), 'B')
        ) STORED"""
    )
    op.execute("CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")
    op.execute("ANALYZE articles")
