"""Work the transparency app hands to the worker."""

from django.tasks import task

from blueledger.accounts.models import Organisation

from .build import build_release


@task()
def publish_now(organisation_id: int | None = None) -> int:
    """Build and publish a release on demand; return its id.

    A rebuild reads every allegation, so it runs in the worker rather than in the request of the
    administrator who asked for it.
    """
    organisation = Organisation.objects.get(pk=organisation_id) if organisation_id else None
    return build_release(organisation).pk
