"""Data key rotation while the system runs: add a key, re-encrypt every encrypted column, retire.

Re-encryption works on the stored ciphertext, a batch per transaction, and only replaces a value if
it is still the one that was read (``UPDATE ... WHERE pk = %s AND column = <old ciphertext>``): a
write by another process in between is never lost. Values written meanwhile under an old key (by a
process that has not yet noticed the new key file) are picked up by the next ``keys reencrypt``.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, models, router, transaction
from django.db.models import Count, TextField, Value
from django.db.models.functions import Cast, Greatest, Left, StrIndex

from blueledger.audit.events import record
from blueledger.crypto.fields import EncryptedFieldMixin, encrypted_fields
from blueledger.crypto.keyring import (
    DecryptionError,
    KeyringError,
    editing_keyring,
    forget_cached,
    get_keyring,
)

DEFAULT_BATCH_SIZE = 500
_SEALED = "_bl_sealed"


@dataclass(frozen=True)
class Column:
    """An encrypted column: one encrypted field of one model's own table."""

    model: type[models.Model]
    field: EncryptedFieldMixin

    @property
    def label(self) -> str:
        return self.field.aad_label

    @property
    def alias(self) -> str:
        return router.db_for_write(self.model) or "default"

    def sealed(self) -> models.QuerySet:
        """Return the model's rows annotated with the raw ciphertext, never decrypting it."""
        raw = Cast(self.field.attname, output_field=TextField())
        return (
            self.model._base_manager.using(self.alias)
            .annotate(**{_SEALED: raw})
            .filter(**{f"{_SEALED}__isnull": False})
        )


@dataclass
class Progress:
    """What a re-encryption pass did."""

    rewritten: int = 0
    changed_meanwhile: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (column label, pk)
    per_column: dict[str, int] = field(default_factory=dict)


ProgressCallback = Callable[[str, int, int], None]  # column label, batch number, rows rewritten


def encrypted_columns() -> list[Column]:
    """Return every encrypted column of every installed model, found through the app registry."""
    columns: list[Column] = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed or opts.swapped:
            continue
        columns.extend(Column(model, f) for f in encrypted_fields(model))
    return columns


def key_usage(columns: list[Column] | None = None) -> dict[str, dict[str, int]]:
    """Count the stored values per key id, per column label."""
    usage: dict[str, dict[str, int]] = {}
    for column in encrypted_columns() if columns is None else columns:
        key_id = Left(_SEALED, Greatest(StrIndex(_SEALED, Value(":")) - 1, 0))
        rows = (
            column.sealed()
            .annotate(_bl_key=key_id)
            .order_by()
            .values("_bl_key")
            .annotate(n=Count("pk"))
            .values_list("_bl_key", "n")
        )
        usage[column.label] = dict(sorted(rows))
    return usage


def _batches(column: Column, active: str, batch_size: int) -> Iterator[list[tuple]]:
    last = None
    while True:
        qs = column.sealed().exclude(**{f"{_SEALED}__startswith": f"{active}:"}).order_by("pk")
        if last is not None:
            qs = qs.filter(pk__gt=last)
        rows = list(qs.values_list("pk", _SEALED)[:batch_size])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def reencrypt(
    batch_size: int = DEFAULT_BATCH_SIZE, progress: ProgressCallback | None = None
) -> Progress:
    """Re-encrypt every value not sealed under the active key; idempotent, safe to interrupt."""
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    ring = get_keyring()
    done = Progress()
    for column in encrypted_columns():
        connection = connections[column.alias]
        quote = connection.ops.quote_name
        table = quote(column.model._meta.db_table)
        pk_field = column.model._meta.pk
        assert pk_field is not None and pk_field.column and column.field.column
        pk = quote(pk_field.column)
        col = quote(column.field.column)
        # Identifiers come from model metadata and are quoted; values travel as parameters.
        update = f"UPDATE {table} SET {col} = %s WHERE {pk} = %s AND {col} = %s"  # noqa: S608
        aad = column.field.aad
        done.per_column[column.label] = 0
        for number, rows in enumerate(_batches(column, ring.active, batch_size), start=1):
            rewritten = 0
            with transaction.atomic(using=column.alias), connection.cursor() as cursor:
                for row_pk, old in rows:
                    try:
                        new = ring.encrypt(ring.decrypt(old, aad), aad)
                    except (DecryptionError, KeyringError):
                        done.unreadable.append((column.label, str(row_pk)))
                        continue
                    cursor.execute(update, [new, row_pk, old])
                    if cursor.rowcount == 1:
                        rewritten += 1
                    else:
                        done.changed_meanwhile += 1
            done.rewritten += rewritten
            done.per_column[column.label] += rewritten
            if progress is not None:
                progress(column.label, number, rewritten)
    return done


def _summary(done: Progress) -> str:
    return (
        f"{done.rewritten} values re-encrypted in {len(done.per_column)} columns; "
        f"{len(done.unreadable)} unreadable; {done.changed_meanwhile} changed meanwhile"
    )


def rotate(
    batch_size: int = DEFAULT_BATCH_SIZE, progress: ProgressCallback | None = None
) -> tuple[str, str, Progress]:
    """Add a data key, make it active, then re-encrypt everything; return old and new key ids."""
    with editing_keyring() as ring:
        previous = ring.active
        new = ring.add_data_key()
    with transaction.atomic():
        record(
            "keys.rotated",
            object_type="crypto.datakey",
            object_id=new,
            summary=f"active data key {new} replaces {previous}",
        )
    done = reencrypt_and_record(batch_size, progress)
    return previous, new, done


def reencrypt_and_record(
    batch_size: int = DEFAULT_BATCH_SIZE, progress: ProgressCallback | None = None
) -> Progress:
    """Run reencrypt() and record its outcome as an audit event."""
    forget_cached()  # start from the file as it is now, not as this process first read it
    done = reencrypt(batch_size, progress)
    with transaction.atomic():
        record(
            "keys.reencrypted",
            object_type="crypto.datakey",
            object_id=get_keyring().active,
            summary=_summary(done),
        )
    return done


def retire(key_id: str) -> None:
    """Remove a data key from the file; refused while it is active or any value still uses it."""
    ring = get_keyring()
    if key_id == ring.active:
        raise KeyringError(f"data key {key_id!r} is the active key; rotate first")
    in_use = {
        column.label: n
        for column in encrypted_columns()
        if (n := column.sealed().filter(**{f"{_SEALED}__startswith": f"{key_id}:"}).count())
    }
    if in_use:
        where = ", ".join(f"{label} ({n})" for label, n in sorted(in_use.items()))
        raise KeyringError(
            f"data key {key_id!r} still seals values in {where}; run 'blueledger keys reencrypt'"
        )
    with editing_keyring() as editable:
        editable.remove_data_key(key_id)
    with transaction.atomic():
        record(
            "keys.retired",
            object_type="crypto.datakey",
            object_id=key_id,
            summary=f"data key {key_id} retired",
        )
