"""The `blueledger` command: Django's management commands under the project's own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blueledger.settings")
    from django.core.management import execute_from_command_line

    from blueledger.env import ConfigError

    try:
        execute_from_command_line(["blueledger", *sys.argv[1:]])
    except ConfigError as error:
        sys.exit(f"blueledger: configuration error: {error}")


if __name__ == "__main__":
    main()
