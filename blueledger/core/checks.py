"""System checks that refuse an unsafe production configuration, naming the setting."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


def _key_file_readable(path: Path) -> bool:
    # Loading, not just finding, the file: an empty or truncated key file fails here, at deploy
    # time, rather than on the first encrypted write.
    from blueledger.crypto.keyring import Keyring, KeyringError

    try:
        Keyring.load(path)
    except KeyringError:
        return False
    return True


@checks.register(checks.Tags.security, deploy=False)
def production_configuration(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    errors: list[checks.CheckMessage] = []
    if settings.DEBUG:
        errors.append(
            checks.Critical(
                "BLUELEDGER_DEBUG is on in production mode.",
                hint="Unset BLUELEDGER_DEBUG or set it to false.",
                id="blueledger.E001",
            )
        )
    if settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 32:
        errors.append(
            checks.Critical(
                "BLUELEDGER_SECRET_KEY is missing, the default, or shorter than 32 characters.",
                hint="Set BLUELEDGER_SECRET_KEY (or its _FILE variant) to a long random value.",
                id="blueledger.E002",
            )
        )
    if not _key_file_readable(Path(settings.KEYS_FILE)):
        errors.append(
            checks.Critical(
                "BLUELEDGER_KEYS_FILE does not point at a readable key file "
                f"({settings.KEYS_FILE}).",
                hint=(
                    "Create one with 'blueledger keys init' and set BLUELEDGER_KEYS_FILE to its "
                    "path."
                ),
                id="blueledger.E003",
            )
        )
    if not settings.DATABASE_URL:
        errors.append(
            checks.Critical(
                "DATABASE_URL is not set: production runs on PostgreSQL, not the embedded SQLite.",
                hint="Set DATABASE_URL=postgres://user@host:5432/blueledger.",
                id="blueledger.E004",
            )
        )
    if set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]"}:
        errors.append(
            checks.Warning(
                "BLUELEDGER_ALLOWED_HOSTS names only this machine.",
                hint="Set BLUELEDGER_ALLOWED_HOSTS to the public host name.",
                id="blueledger.W001",
            )
        )
    return errors
