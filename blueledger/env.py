"""Read settings from the environment strictly: a bad value stops the start, naming the variable."""

import os
from pathlib import Path


class ConfigError(ValueError):
    """An environment variable holds a value Blue Ledger cannot use."""


def env_bool(name: str, default: bool = False) -> bool:
    """Read a strict boolean: true/false, yes/no, on/off, 1/0; anything else is an error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """Read NAME, or the file that NAME_FILE points at (for container secrets)."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ConfigError(
                f"{name}_FILE points at {path!r}, which cannot be read: {exc}"
            ) from exc
    return None
