import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import FieldError
from django.db import models
from django.test.utils import isolate_apps

from blueledger.crypto.fields import EncryptedTextField
from blueledger.crypto.keyring import DecryptionError, get_keyring

from .conftest import Dossier, raw_column, write_raw

pytestmark = pytest.mark.usefixtures("dossier")

NARRATIVE = "Witness saw the vehicle at the checkpoint near Bangui"


@pytest.mark.parametrize(
    "text",
    ["plain text", "", "Ngozi Adébáyọ̀ — Мария — محمد — 張偉 — 🕊️", "line\nbreak\ttab"],
)
def test_text_round_trips(text: str) -> None:
    pk = Dossier.objects.create(narrative=text).pk
    assert Dossier.objects.get(pk=pk).narrative == text


@pytest.mark.parametrize(
    "value",
    [
        {"phone": "+236 70 00 00 00", "languages": ["sango", "français"], "minor": True},
        [1, 2.5, "trois", None],
        {},
        "just a string",
        42,
        False,
    ],
)
def test_json_round_trips(value: object) -> None:
    pk = Dossier.objects.create(details=value).pk
    assert Dossier.objects.get(pk=pk).details == value


def test_none_stays_null_in_the_database() -> None:
    pk = Dossier.objects.create(narrative=None, details=None).pk
    assert raw_column(Dossier, "narrative", pk) is None
    assert raw_column(Dossier, "details", pk) is None
    row = Dossier.objects.get(pk=pk)
    assert row.narrative is None and row.details is None


def test_the_raw_column_holds_no_plaintext_and_names_its_key() -> None:
    pk = Dossier.objects.create(narrative=NARRATIVE, details={"contact": "Bangui market"}).pk
    for column in ("narrative", "details"):
        stored = raw_column(Dossier, column, pk)
        assert stored is not None
        assert stored.startswith(f"{get_keyring().active}:")
        for word in ("Witness", "Bangui", "checkpoint", "contact", "market"):
            assert word not in stored


def test_equal_values_encrypt_differently() -> None:
    first = Dossier.objects.create(narrative=NARRATIVE).pk
    second = Dossier.objects.create(narrative=NARRATIVE).pk
    assert raw_column(Dossier, "narrative", first) != raw_column(Dossier, "narrative", second)


def test_values_read_back_through_values_list_and_update() -> None:
    pk = Dossier.objects.create(narrative="before").pk
    Dossier.objects.filter(pk=pk).update(narrative="after", details={"n": 1})
    assert list(Dossier.objects.filter(pk=pk).values_list("narrative", "details")) == [
        ("after", {"n": 1})
    ]
    assert "after" not in (raw_column(Dossier, "narrative", pk) or "")


def test_bulk_create_and_bulk_update_encrypt() -> None:
    rows = Dossier.objects.bulk_create([Dossier(narrative=f"bulk {i}") for i in range(3)])
    for row in rows:
        row.narrative = f"changed {row.pk}"
    Dossier.objects.bulk_update(rows, ["narrative"])
    for row in rows:
        assert "changed" not in (raw_column(Dossier, "narrative", row.pk) or "")
        assert Dossier.objects.get(pk=row.pk).narrative == f"changed {row.pk}"


def test_a_tampered_byte_fails_on_read() -> None:
    pk = Dossier.objects.create(narrative=NARRATIVE).pk
    key_id, _, body = raw_column(Dossier, "narrative", pk).partition(":")
    raw = bytearray(base64.b64decode(body))
    raw[20] ^= 0x01
    write_raw(Dossier, "narrative", pk, f"{key_id}:{base64.b64encode(raw).decode()}")
    with pytest.raises(DecryptionError, match="crypto.dossier.narrative"):
        Dossier.objects.get(pk=pk)


def test_a_tampered_value_is_also_an_invalid_tag_for_cryptography_callers() -> None:
    pk = Dossier.objects.create(narrative=NARRATIVE).pk
    write_raw(Dossier, "narrative", pk, raw_column(Dossier, "narrative", pk)[:-6] + "AAAA==")
    with pytest.raises(InvalidTag):
        Dossier.objects.get(pk=pk)


def test_a_ciphertext_moved_to_another_column_fails() -> None:
    pk = Dossier.objects.create(narrative=NARRATIVE, passport="X1234567").pk
    write_raw(Dossier, "passport", pk, raw_column(Dossier, "narrative", pk))
    with pytest.raises(DecryptionError, match="crypto.dossier.passport"):
        Dossier.objects.get(pk=pk)


def test_garbage_in_the_column_fails_clearly() -> None:
    pk = Dossier.objects.create(narrative="x").pk
    write_raw(Dossier, "narrative", pk, "not a sealed value")
    with pytest.raises(DecryptionError):
        Dossier.objects.get(pk=pk)


@pytest.mark.parametrize(
    "lookup",
    [
        {"narrative": "x"},
        {"narrative__icontains": "x"},
        {"details__phone": "1"},
        {"passport__in": []},
    ],
)
def test_filtering_on_an_encrypted_field_is_refused(lookup: dict) -> None:
    with pytest.raises(FieldError, match="encrypted.*blind index"):
        Dossier.objects.filter(**lookup)


def test_null_checks_are_allowed() -> None:
    Dossier.objects.create(narrative=None)
    Dossier.objects.create(narrative="")
    assert Dossier.objects.filter(narrative__isnull=True).count() == 1
    assert Dossier.objects.filter(narrative=None).count() == 1
    assert Dossier.objects.exclude(narrative=None).count() == 1


@isolate_apps("blueledger.crypto")
def test_an_encrypted_field_cannot_be_unique_or_indexed() -> None:
    class Bad(models.Model):
        secret = EncryptedTextField(unique=True)

        class Meta:
            app_label = "crypto"

    assert [e.id for e in Bad._meta.get_field("secret").check()] == ["crypto.E001"]


@isolate_apps("blueledger.crypto")
def test_a_pinned_label_survives_a_rename() -> None:
    class Renamed(models.Model):
        account = EncryptedTextField(aad="crypto.dossier.narrative")

        class Meta:
            app_label = "crypto"

    field = Renamed._meta.get_field("account")
    token = Dossier._meta.get_field("narrative").seal("kept")
    assert field.unseal(token) == "kept"
    assert field.deconstruct()[3]["aad"] == "crypto.dossier.narrative"
