"""The database refuses to change or delete audit rows; flushing the whole database still works."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from blueledger.audit import chain, checkpoints, guards
from blueledger.audit.events import record
from blueledger.audit.models import AuditEvent, ChainLink, Checkpoint

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE triggers are PostgreSQL's"
)


def _sealed_and_checkpointed() -> None:
    record("a.b", summary="one")
    record("a.b", summary="two")
    checkpoints.create_checkpoint()


def test_the_triggers_are_in_place_after_migrating(db: None) -> None:
    assert guards.installed(connection) == guards.expected(connection) != set()


@pytest.mark.parametrize(
    ("model", "column"),
    [(AuditEvent, "summary"), (ChainLink, "hash"), (Checkpoint, "tree_size")],
)
def test_the_database_refuses_to_update_audit_rows(db: None, model: type, column: str) -> None:
    _sealed_and_checkpointed()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {model._meta.db_table} SET {column} = {column}")  # noqa: S608


def test_the_database_refuses_an_orm_update_of_an_event(db: None) -> None:
    event = record("a.b", summary="what happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="something else")
    assert AuditEvent.objects.get().summary == "what happened"


@pytest.mark.parametrize("model", [AuditEvent, ChainLink, Checkpoint])
def test_the_database_refuses_to_delete_audit_rows(db: None, model: type) -> None:
    _sealed_and_checkpointed()
    record("a.b", summary="not sealed yet")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
    assert model.objects.exists()


@pytest.mark.postgres_only
@postgres_only
def test_postgresql_refuses_to_truncate_audit_tables(db: None) -> None:
    _sealed_and_checkpointed()
    with connection.cursor() as cursor:
        # Check the deferred foreign keys now: PostgreSQL refuses TRUNCATE while any are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in guards.TABLES:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"TRUNCATE {table} CASCADE")


def test_the_sealer_only_inserts(db: None) -> None:
    """The chain grows by INSERTs alone: nothing the triggers refuse is ever needed."""
    record("a.b")
    chain.seal()
    record("a.b")
    checkpoints.create_checkpoint()
    assert ChainLink.objects.count() == 2


# Serialized rollback: the tests after this one find the database as migrations left it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_empties_the_log_and_puts_the_guards_back() -> None:
    _sealed_and_checkpointed()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not AuditEvent.objects.exists() and not Checkpoint.objects.exists()
    assert guards.installed(connection) == guards.expected(connection)
    record("a.b")
    with pytest.raises(DatabaseError, match="append-only"):
        AuditEvent.objects.all().delete()
