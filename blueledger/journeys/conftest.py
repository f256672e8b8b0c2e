"""Browser journeys: Playwright for Python driving Debian's chromium against a live server.

These run in their own pytest process (`make test` does it) because Playwright's sync API runs
an event loop that Django would otherwise refuse to share (DJANGO_ALLOW_ASYNC_UNSAFE is set for
that process only). Under CI a missing browser fails; on a laptop without chromium the journeys
skip with the reason.
"""

import os
import shutil
from collections.abc import Callable, Iterator

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    return (
        os.environ.get("BLUELEDGER_CHROMIUM")
        or shutil.which("chromium")
        or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = _chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI needs it")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def open_context(browser: object) -> Iterator[Callable[..., object]]:
    """Open browser contexts (one per person, or per setting such as JavaScript off); all are
    closed at the end. CSP is bypassed so the accessibility checks can inject axe-core."""
    contexts: list[object] = []

    def open_one(**options: object) -> object:
        context = browser.new_context(**{"locale": "en-GB", "bypass_csp": True, **options})  # type: ignore[attr-defined]
        context.set_default_timeout(10_000)  # type: ignore[attr-defined]
        contexts.append(context)
        return context

    yield open_one
    for context in contexts:
        context.close()  # type: ignore[attr-defined]
