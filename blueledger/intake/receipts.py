"""Receipt codes: how an anonymous reporter comes back to their report (DESIGN.md section 5).

A receipt is 20 symbols of Crockford's base32 (100 bits from the operating system's generator),
shown as five groups of four: ``7KQM-3XD9-AB4T-PZ2W-H8RC``. The alphabet has no I, L, O or U, and
reading accepts the look-alikes (O for 0, I and L for 1), any case, spaces and hyphens, so a code
read aloud over a bad phone line or copied by hand still works.

Nothing stored reveals the code. Two keyed hashes are kept: a lookup hash (one HMAC under a server
key, indexed, so finding the report costs one indexed read) and a check hash (an HMAC of a
per-report salt and the code under a second key), compared in constant time. A database dump alone
gives neither the codes nor a way to test guesses offline.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from blueledger.crypto.keyring import get_keyring

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYMBOLS = 20
GROUP = 4
BITS = SYMBOLS * 5
SALT_BYTES = 16
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\u00a0\u2010\u2011\u2012\u2013\u2014\t\r\n")
# Digits a reporter may type from an Arabic-Indic or Persian keyboard read as the same code.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class StoredReceipt:
    """What the database keeps of a receipt."""

    lookup: str
    salt: str
    check: str


def new_code() -> str:
    """Return a fresh receipt, grouped for reading aloud."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SYMBOLS))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise(text: str) -> str | None:
    """Return the 20 symbols of a typed receipt, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 80:
        return None
    cleaned = text.translate(_DIGITS).translate(_SEPARATORS).upper().translate(_LOOK_ALIKES)
    if len(cleaned) != SYMBOLS or any(symbol not in ALPHABET for symbol in cleaned):
        return None
    return cleaned


def _lookup(symbols: str) -> str:
    key = get_keyring().secret("intake.receipt.lookup")
    return hmac.new(key, symbols.encode(), hashlib.sha256).hexdigest()


def _check(symbols: str, salt: str) -> str:
    key = get_keyring().secret("intake.receipt.check")
    return hmac.new(key, bytes.fromhex(salt) + symbols.encode(), hashlib.sha256).hexdigest()


def store(code: str) -> StoredReceipt:
    """Return the hashes to keep for CODE (a code from new_code)."""
    symbols = normalise(code)
    if symbols is None:
        raise ValueError("not a receipt code")
    salt = secrets.token_hex(SALT_BYTES)
    return StoredReceipt(lookup=_lookup(symbols), salt=salt, check=_check(symbols, salt))


def lookup_of(text: str) -> str | None:
    """Return the lookup hash of a typed receipt, or None when it is malformed."""
    symbols = normalise(text)
    return None if symbols is None else _lookup(symbols)


def matches(text: str, salt: str, check: str) -> bool:
    """Tell, in constant time, whether a typed receipt is the one stored as SALT and CHECK."""
    symbols = normalise(text)
    if symbols is None:
        return False
    return hmac.compare_digest(_check(symbols, salt), check)
