"""`blueledger token create|list|revoke`: API tokens for scripts, from the command line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueledger.accounts import actions
from blueledger.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, list and revoke API tokens. 'create' prints only the token, once."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Create a token for USERNAME and print it.")
        create.add_argument("username")
        create.add_argument("--name", default="command line", help="What the token is for.")
        listing = sub.add_parser("list", help="List USERNAME's tokens (never their values).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke the token with this id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        match options["subcommand"]:
            case "create":
                self._create(self._user(options["username"]), options["name"].strip())
            case "list":
                self._list(self._user(options["username"]))
            case "revoke":
                self._revoke(options["token_id"])

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def _create(self, owner: User, name: str) -> None:
        if not owner.is_active:
            raise CommandError(f"The user {owner.username!r} is inactive; a token would not work.")
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
            raise CommandError("--name must be 1 to 100 characters.")
        _token, raw = actions.create_token(None, owner, name)
        # Only the token on stdout, so that `$(blueledger token create alice)` captures it.
        self.stdout.write(raw)

    def _list(self, owner: User) -> None:
        for token in ApiToken.objects.filter(user=owner):
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.hint}…\t{token.name}\t"
                f"created {token.created_at:%Y-%m-%d %H:%M}\tlast used {used}\t{state}"
            )

    def _revoke(self, token_id: int) -> None:
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"No API token with id {token_id}.")
        actions.revoke_token(None, token)
        self.stdout.write(f"Revoked token {token_id} ({token.hint}…).")
