"""Blind indexes: exact lookup on encrypted values (DESIGN.md section 5).

A blind index is HMAC-SHA256 under the keyring's index key over a purpose and the normalised value,
hex-encoded and cut to 32 characters (128 bits). The purpose (``"screening.passport"``) separates
columns, so equal values in two columns do not link in a database dump. 128 bits make an accidental
collision negligible at any size this system reaches (about 1 in 10^20 for a lookup among 10^18
values), so a match can be trusted without decrypting; shorter indexes that collide on purpose (to
blur equality) would force every lookup to decrypt and compare, and would still reveal the equal
values they meant to hide. An index reveals equality of normalised values, nothing more.

The index key is never rotated in place: every stored index would change at once. docs/decisions/
0002-encryption-and-keys.md says how to rebuild them under a new key.

Pattern, on a model::

    passport = EncryptedTextField(null=True)
    passport_bidx = BlindIndexField(
        source="passport", purpose="screening.passport", normaliser=normalise_identifier
    )

    Person.objects.filter(index_filter(Person, "passport_bidx", "ab 123456"))

The field fills itself on every save(); a save(update_fields=[...]) naming the source must also name
the index. QuerySet.update() and bulk_update() bypass it: set the index yourself with index_of().
"""

import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blueledger.crypto.keyring import get_keyring

INDEX_HEX_CHARS = 32

# Removed outright, so that O'Brien, O’Brien and OBrien index alike.
_APOSTROPHES = frozenset("'`´‘’ʹʻʼʽˈ＇")
# Scripts whose combining marks are optional accents or vowel points, dropped for matching.
# Elsewhere (Devanagari vowel signs, Thai tone marks, Cyrillic й) marks are part of the letter.
_UNACCENTED_SCRIPTS = frozenset({"LATIN", "GREEK", "ARABIC", "HEBREW"})
# Latin letters with a stroke or a ligature: no decomposition removes their "accent".
_LATIN_FOLDS = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "ħ": "h",
    "ı": "i",
    "ŧ": "t",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
}
_TATWEEL = "\u0640"
_INDEX_DEFAULTS: dict[str, Any] = {
    "max_length": INDEX_HEX_CHARS,
    "db_index": True,
    "null": True,
    "blank": True,
    "editable": False,
}


def _script(char: str) -> str:
    return unicodedata.name(char, "").partition(" ")[0]


def _normalise_once(value: str) -> str:
    text = "".join(ch for ch in value if ch not in _APOSTROPHES)
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    base = ""  # script of the letter the next combining mark would sit on; "" after a separator
    for ch in unicodedata.normalize("NFD", text):
        category = unicodedata.category(ch)
        if category == "Mn":
            if base and base not in _UNACCENTED_SCRIPTS:
                out.append(ch)
        elif ch in _APOSTROPHES or ch == _TATWEEL or category in ("Cf", "Cs"):
            continue
        elif category[0] in "PSZ" or category == "Cc":
            out.append(" ")
            base = ""
        elif category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
            base = ""
        else:
            out.append(_LATIN_FOLDS.get(ch, ch))
            base = _script(ch)
    return " ".join(unicodedata.normalize("NFKC", "".join(out)).split())


def normalise(value: str) -> str:
    """Return VALUE folded for matching: NFKC, casefold, no accents, no punctuation, single spaces.

    Letters of every script stay; only Latin, Greek, Arabic and Hebrew lose their combining marks
    (accents, vowel points). Punctuation and symbols become spaces, apostrophes vanish, digits of
    any script become ASCII digits.
    """
    result = _normalise_once(value)
    # Case folding and recomposition can each expose work for the other; a second pass settles it.
    while (again := _normalise_once(result)) != result:
        result = again
    return result


def normalise_identifier(value: str) -> str:
    """Return VALUE normalised with all spaces removed: "AB-123 456" and "ab123456" agree."""
    return normalise(value).replace(" ", "")


def blind_index(value: str, purpose: str, *, normaliser: Callable[[str], str] = normalise) -> str:
    """Return the hex HMAC of PURPOSE and the normalised VALUE under the index key."""
    if not purpose or "\x00" in purpose:
        raise ValueError("a blind index needs a purpose without NUL characters")
    normalised = normaliser(value)
    if not normalised:
        raise ValueError("nothing is left of the value to index once normalised")
    message = purpose.encode() + b"\x00" + normalised.encode()
    digest = hmac.new(get_keyring().index_key, message, hashlib.sha256).hexdigest()
    return digest[:INDEX_HEX_CHARS]


class BlindIndexField(models.CharField):
    """An indexed column holding the blind index of another field, refreshed on every save()."""

    description = _("Blind index")

    def __init__(
        self,
        *args: Any,
        source: str,
        purpose: str,
        normaliser: Callable[[str], str] = normalise,
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.purpose = purpose
        self.normaliser = normaliser
        super().__init__(*args, **{**_INDEX_DEFAULTS, **kwargs})

    def index_of(self, value: Any) -> str | None:
        """Return the index stored for VALUE: None when it is None or normalises to nothing."""
        if value is None or not self.normaliser(str(value)):
            return None
        return blind_index(str(value), self.purpose, normaliser=self.normaliser)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.index_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        if self.normaliser is not normalise:
            kwargs["normaliser"] = self.normaliser
        # Keep migrations short: spell out only what differs from this field's own defaults.
        for key, default in _INDEX_DEFAULTS.items():
            actual = getattr(self, key)
            if actual == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = actual
        return name, path, args, kwargs


def index_filter(model: type[models.Model], field_name: str, value: Any) -> Q:
    """Return a Q matching rows of MODEL whose blind index FIELD_NAME equals that of VALUE."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{model._meta.label}.{field_name} is not a BlindIndexField")
    index = field.index_of(value)
    # An empty value matches nothing, not every row whose source is empty.
    return Q(**{field_name: index}) if index is not None else Q(pk__in=[])
