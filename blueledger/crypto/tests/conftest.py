"""A model with encrypted fields for these tests only, kept out of the project's app registry.

The model lives in an isolated registry (so migrations and other apps never see it); its table is
created once per session, and the `dossier` fixture registers it with the real registry for the
length of a test, which is how `keys rotate` discovers encrypted columns.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import isolate_apps

from blueledger.crypto.blind_index import BlindIndexField, normalise_identifier
from blueledger.crypto.fields import EncryptedJSONField, EncryptedTextField

with isolate_apps("blueledger.crypto"):

    class Dossier(models.Model):
        reference = models.CharField(max_length=20, default="")
        narrative = EncryptedTextField(null=True, blank=True)
        details = EncryptedJSONField(null=True, blank=True)
        passport = EncryptedTextField(null=True, blank=True)
        passport_bidx = BlindIndexField(
            source="passport", purpose="tests.passport", normaliser=normalise_identifier
        )

        class Meta:
            app_label = "crypto"


@pytest.fixture(scope="session")
def dossier_table(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        if Dossier._meta.db_table not in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.create_model(Dossier)


@pytest.fixture
def dossier(dossier_table: None, db: None) -> Iterator[type[Dossier]]:
    """The Dossier model, registered with the app registry for the length of the test."""
    apps.register_model("crypto", Dossier)
    try:
        yield Dossier
    finally:
        del apps.all_models["crypto"]["dossier"]
        apps.clear_cache()


def raw_column(model: type[models.Model], column: str, pk: Any) -> str | None:
    """Read a column as the database holds it: what a dump would show."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def write_raw(model: type[models.Model], column: str, pk: Any, value: str | None) -> None:
    """Write a column behind the ORM's back, as an attacker or a stale process would."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )
