"""System checks for the keyring: a key file others can read is a copy of every secret."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def key_file_permissions(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    path = Path(settings.KEYS_FILE)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return []  # a missing file is blueledger.E003's business (production only)
    if not mode & 0o077:
        return []
    level = checks.Error if settings.PRODUCTION else checks.Warning
    return [
        level(
            f"The key file {path} can be read by others than its owner (mode {mode:o}).",
            hint=f"chmod 600 {path}",
            id="crypto.E002" if settings.PRODUCTION else "crypto.W001",
        )
    ]
