"""Tasks for the worker's tests: queued tasks must be importable by their path."""

from django.tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def explode(detail: str) -> None:
    raise ValueError(f"could not process the report of {detail}")
