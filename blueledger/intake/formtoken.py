"""A form token for the public pages that needs no cookie.

Django's CSRF protection pairs a cookie with the form, and reporting must work without cookies. A
public form is not an action on anyone's behalf (there is no session to ride), so what is left to
guard against is a forged or replayed-forever form: each page carries a token signed with the
secret key and dated, and a submission whose token is missing, altered or older than a day is
refused with the reporter's text kept in the form.
"""

import secrets

from django.core import signing

SALT = "blueledger.intake.public-form"
MAX_AGE_SECONDS = 24 * 60 * 60


def issue() -> str:
    return signing.TimestampSigner(salt=SALT).sign(secrets.token_urlsafe(8))


def is_valid(token: str | None) -> bool:
    if not token or len(token) > 200:
        return False
    try:
        signing.TimestampSigner(salt=SALT).unsign(token, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    return True
