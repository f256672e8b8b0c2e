"""Triggers that make the database itself refuse to change or delete rows of the audit log.

They stop mistakes and a compromised application; a database superuser can drop them, which is why
verification never relies on them. PostgreSQL also refuses TRUNCATE (it fires no row trigger).

``blueledger flush`` (and so the test suite's flush between transactional tests) empties every
table: it lifts the guard that would refuse it for the length of its transaction (see
``management/commands/flush.py``), as TRUNCATE on PostgreSQL would bypass a row trigger anyway.

On SQLite a migration that rebuilds one of these tables drops its triggers: such a migration must
call ``install`` again (``test_guards`` checks that they are in place after migrating).
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("audit_auditevent", "audit_chainlink", "audit_checkpoint")
MESSAGE = "the audit log is append-only"
_PG_KINDS = ("append_only", "no_truncate")
_SQLITE_VERBS = ("update", "delete")

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION blueledger_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME
    USING HINT = 'Audit events, chain links and checkpoints are never changed or removed.';
END
$$
"""


def _statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        sql = [_PG_FUNCTION]
        for table in TABLES:
            sql += [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION blueledger_audit_refuse()",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION blueledger_audit_refuse()",
            ]
        return sql
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {verb} on {table} refused'); END"
            for table in TABLES
            for verb in ("UPDATE", "DELETE")
        ]
    return []


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) the triggers; other databases go without."""
    _run(connection, _statements(connection.vendor))


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers (to reverse the migration, or in a test that plays the attacker)."""
    if connection.vendor == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {t}_{k} ON {t}" for t in TABLES for k in _PG_KINDS]
        statements.append("DROP FUNCTION IF EXISTS blueledger_audit_refuse()")
    elif connection.vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {t}_no_{v}" for t in TABLES for v in _SQLITE_VERBS]
    else:
        statements = []
    _run(connection, statements)


def lift_for_flush(connection: BaseDatabaseWrapper) -> None:
    """Let the current transaction empty the tables; ``install`` puts the guard back."""
    if not tables_exist(connection):
        return
    if connection.vendor == "postgresql":
        statements = [f"ALTER TABLE {t} DISABLE TRIGGER {t}_no_truncate" for t in TABLES]
    elif connection.vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {t}_no_delete" for t in TABLES]
    else:
        statements = []
    _run(connection, statements)


def tables_exist(connection: BaseDatabaseWrapper) -> bool:
    return set(TABLES) <= set(connection.introspection.table_names())


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the guard triggers present, for the tests and ``audit verify``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid::regclass::text = ANY(%s)",
                [list(TABLES)],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN (%s, %s, %s)",
                list(TABLES),
            )
        else:
            return set()
        return {name for (name,) in cursor.fetchall()}


def expected(connection: BaseDatabaseWrapper) -> set[str]:
    if connection.vendor == "postgresql":
        return {f"{t}_{k}" for t in TABLES for k in _PG_KINDS}
    if connection.vendor == "sqlite":
        return {f"{t}_no_{v}" for t in TABLES for v in _SQLITE_VERBS}
    return set()
