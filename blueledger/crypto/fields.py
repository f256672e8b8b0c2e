"""Encrypted model fields (DESIGN.md section 5).

The column holds ``<key id>:<base64 nonce+ciphertext+tag>`` (AES-GCM, see keyring.py); the model
attribute holds the plain value. The associated data is the column's label
``app_label.model.field``, so a ciphertext copied into another column does not decrypt. Values are
decrypted as rows load (``from_db_value``): a database dump alone holds no plaintext.

The label is part of every sealed value: renaming the model or the field makes old values
unreadable unless the field pins its old label with ``aad="app.model.field"``.

Encrypted columns cannot be searched: filtering raises FieldError except ``isnull`` (and
``=None``). For exact lookups add a blind index (see blind_index.py).
"""

import json
from typing import Any

from django import forms
from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull, Lookup

from blueledger.crypto.keyring import DecryptionError, get_keyring


class _NullOnlyExact(Exact):
    """`field=None` (turned into isnull by the ORM); any other value is refused."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs is not None:
            raise FieldError(_refusal(lhs.output_field, "exact"))
        super().__init__(lhs, rhs)


def _refusal(field: "EncryptedFieldMixin", lookup: str) -> str:
    return (
        f"{field.aad_label} is encrypted and cannot be filtered with {lookup!r}: "
        "filter on a blind index of the value instead (blueledger.crypto.blind_index)"
    )


class EncryptedFieldMixin:
    """Encrypt on the way to the database and decrypt on the way back, bound to the column."""

    name: str
    attname: str
    column: str | None
    model: type[models.Model]
    unique: bool
    primary_key: bool
    db_index: bool

    def __init__(self, *args: Any, aad: str | None = None, **kwargs: Any) -> None:
        self._aad_override = aad
        super().__init__(*args, **kwargs)

    # -- binding ------------------------------------------------------------------------------
    @property
    def aad_label(self) -> str:
        """Return ``app_label.model.field``, the associated data every value is sealed with."""
        if self._aad_override:
            return self._aad_override
        opts = self.model._meta
        return f"{opts.app_label}.{opts.model_name}.{self.name}"

    @property
    def aad(self) -> bytes:
        return self.aad_label.encode()

    # -- serialisation of the plain value (subclasses) ------------------------------------------
    def to_plain_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_plain_bytes(self, data: bytes) -> Any:
        raise NotImplementedError

    # -- database round trip --------------------------------------------------------------------
    def seal(self, value: Any) -> str | None:
        """Return the ciphertext stored for VALUE (None stays None)."""
        if value is None:
            return None
        return get_keyring().encrypt(self.to_plain_bytes(value), self.aad)

    def unseal(self, token: str | None) -> Any:
        """Return the plain value of a stored ciphertext, or raise DecryptionError."""
        if token is None:
            return None
        try:
            plain = get_keyring().decrypt(token, self.aad)
        except DecryptionError as exc:
            raise DecryptionError(f"cannot decrypt {self.aad_label}: {exc}") from None
        return self.from_plain_bytes(plain)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # Lookups never get here with a value (get_lookup refuses them), so this is a write.
        if hasattr(value, "resolve_expression"):
            return value
        return self.seal(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return self.unseal(value)

    # -- no searching ---------------------------------------------------------------------------
    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _NullOnlyExact
        raise FieldError(_refusal(self, lookup_name))

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(_refusal(self, lookup_name))

    # -- checks and migrations ------------------------------------------------------------------
    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)  # type: ignore[misc]
        if self.unique or self.primary_key or self.db_index:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique, indexed or a primary key: every value "
                    "is sealed with a fresh nonce, so equal values differ in the database.",
                    hint="Add a BlindIndexField beside it and index or constrain that.",
                    obj=self,
                    id="crypto.E001",
                )
            )
        return errors

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        if self._aad_override:
            kwargs["aad"] = self._aad_override
        return name, path, args, kwargs


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """A text value stored encrypted; reads and writes plain str; None stays NULL."""

    def to_plain_bytes(self, value: Any) -> bytes:
        return str(value).encode()

    def from_plain_bytes(self, data: bytes) -> str:
        return data.decode()


class EncryptedBinaryField(EncryptedFieldMixin, models.TextField):
    """Bytes (an attachment's content) stored encrypted; defer it wherever rows are listed."""

    def to_plain_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def from_plain_bytes(self, data: bytes) -> bytes:
        return data

    def to_python(self, value: Any) -> Any:
        return value

    def formfield(self, **kwargs: Any) -> Any:
        return None


class EncryptedJSONField(EncryptedFieldMixin, models.TextField):
    """A JSON value (dict, list, str, number, bool) stored encrypted; None stays NULL."""

    def __init__(
        self,
        *args: Any,
        encoder: type[json.JSONEncoder] | None = None,
        decoder: type[json.JSONDecoder] | None = None,
        **kwargs: Any,
    ) -> None:
        self.encoder = encoder
        self.decoder = decoder
        super().__init__(*args, **kwargs)

    def to_plain_bytes(self, value: Any) -> bytes:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False).encode()

    def from_plain_bytes(self, data: bytes) -> Any:
        return json.loads(data.decode(), cls=self.decoder)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not None:
            kwargs["encoder"] = self.encoder
        if self.decoder is not None:
            kwargs["decoder"] = self.decoder
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(
            **{
                "form_class": forms.JSONField,
                "encoder": self.encoder,
                "decoder": self.decoder,
                **kwargs,
            }
        )


def encrypted_fields(model: type[models.Model]) -> list[EncryptedFieldMixin]:
    """Return the concrete encrypted fields stored in MODEL's own table."""
    found: list[EncryptedFieldMixin] = []
    for candidate in model._meta.local_concrete_fields:
        if isinstance(candidate, EncryptedFieldMixin):
            found.append(candidate)
    return found
