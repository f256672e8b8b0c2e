"""`blueledger keys`: create the key file, show key usage, rotate and retire data keys.

Running processes notice a rotated key file by themselves (keyring.py); values they write under the
old key in the meantime are caught by a later `keys reencrypt` (or `keys rotate --resume`).
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueledger.crypto import rotation
from blueledger.crypto.keyring import Keyring, KeyringError, get_keyring

MAX_LISTED_UNREADABLE = 20


class Command(BaseCommand):
    help = "Manage the keyring: init, status, rotate, reencrypt, retire."
    # `keys init` must work where the system checks refuse to start: before the key file exists.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        init = actions.add_parser("init", help="Create the key file (owner-only); never overwrite.")
        init.add_argument("--path", type=Path, help="Where to write it (BLUELEDGER_KEYS_FILE).")
        actions.add_parser("status", help="Show the active key and values per key in each column.")
        rotate = actions.add_parser(
            "rotate", help="Add a data key, make it active and re-encrypt every value."
        )
        rotate.add_argument("--batch-size", type=int, default=rotation.DEFAULT_BATCH_SIZE)
        rotate.add_argument(
            "--resume",
            action="store_true",
            help="Add no key: finish re-encrypting values under the active key.",
        )
        reencrypt = actions.add_parser(
            "reencrypt", help="Re-encrypt values sealed under older keys with the active key."
        )
        reencrypt.add_argument("--batch-size", type=int, default=rotation.DEFAULT_BATCH_SIZE)
        retire = actions.add_parser(
            "retire", help="Remove a data key from the file once no value uses it."
        )
        retire.add_argument("key_id")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "init":
                self.init(options["path"])
            elif action == "status":
                self.status()
            elif action == "rotate" and not options["resume"]:
                self.rotate(options["batch_size"])
            elif action in ("rotate", "reencrypt"):
                self.reencrypt(options["batch_size"])
            elif action == "retire":
                rotation.retire(options["key_id"])
                self.stdout.write(f"Data key {options['key_id']} retired.")
        except (KeyringError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def init(self, path: Path | None) -> None:
        path = Path(path or settings.KEYS_FILE)
        if path.exists():
            raise CommandError(f"{path} already exists; a key file is never overwritten.")
        ring = Keyring.generate(path)
        ring.save(overwrite=False)
        self.stdout.write(f"Created the key file {path}, readable by its owner only.")
        self.stdout.write(f"Active data key: {ring.active}.")
        self.stdout.write(
            "Back it up somewhere safe: without it, encrypted data cannot be read. "
            "Point BLUELEDGER_KEYS_FILE at it."
        )

    def status(self) -> None:
        ring = get_keyring()
        usage = rotation.key_usage()
        self.stdout.write(f"Key file: {ring.path}")
        self.stdout.write(f"Active data key: {ring.active}")
        self.stdout.write(f"Data keys: {', '.join(sorted(ring.data_keys))}")
        if not usage:
            self.stdout.write("Encrypted columns: none")
            return
        self.stdout.write("Encrypted columns (values per key):")
        width = max(len(label) for label in usage)
        stale = 0
        for label, counts in usage.items():
            shown = "  ".join(f"{kid}={n}" for kid, n in counts.items()) or "no values"
            self.stdout.write(f"  {label:<{width}}  {shown}")
            stale += sum(n for kid, n in counts.items() if kid != ring.active)
        unknown = {kid for counts in usage.values() for kid in counts} - set(ring.data_keys)
        if unknown:
            self.stdout.write(
                self.style.ERROR(f"Keys missing from the file: {', '.join(sorted(unknown))}")
            )
        if stale:
            self.stdout.write(
                f"{stale} values are sealed under older keys: run 'blueledger keys reencrypt'."
            )

    def _progress(self, label: str, batch: int, rewritten: int) -> None:
        self.stdout.write(f"  {label}: batch {batch}, {rewritten} values re-encrypted")

    def rotate(self, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        previous, new, done = rotation.rotate(batch_size, self._progress)
        self.stdout.write(f"Active data key is now {new} (was {previous}); key file saved.")
        self._report(done)

    def reencrypt(self, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        self.stdout.write(f"Re-encrypting under the active data key {get_keyring().active}.")
        self._report(rotation.reencrypt_and_record(batch_size, self._progress))

    def _report(self, done: rotation.Progress) -> None:
        self.stdout.write(f"{done.rewritten} values re-encrypted.")
        if done.changed_meanwhile:
            self.stdout.write(
                f"{done.changed_meanwhile} values changed while this ran; "
                "run 'blueledger keys reencrypt' again to catch any written under an old key."
            )
        if done.unreadable:
            listed = ", ".join(
                f"{label} pk={pk}" for label, pk in done.unreadable[:MAX_LISTED_UNREADABLE]
            )
            raise CommandError(
                f"{len(done.unreadable)} values could not be decrypted and were left as they are: "
                f"{listed}"
            )
