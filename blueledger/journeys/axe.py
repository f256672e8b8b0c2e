"""Accessibility checks for the browser journeys: axe-core (from npm) run inside the page.

The Makefile runs npm install, which puts axe-core in node_modules/. Under CI a missing axe-core
fails; on a laptop without npm the checks skip with the reason. The pages send a strict CSP: open
their contexts with bypass_csp=True (the open_context fixture does), so axe may be evaluated.
"""

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

# Whether the page runs scripts: not in a context with JavaScript turned off (nor under a CSP
# that refuses inline scripts, where the fallback below is harmless).
_SCRIPTS_RUN = """() => {
    const probe = document.createElement("script");
    probe.textContent = "window.__blueledgerScripts = true";
    document.head.appendChild(probe);
    const on = window.__blueledgerScripts === true;
    probe.remove();
    delete window.__blueledgerScripts;
    return on;
}"""
# With JavaScript off, Playwright's evaluation still runs but the page's timers never fire, and axe
# schedules its work with setTimeout(..., 0). Run those as microtasks; longer delays are only
# axe's give-up timers (for frames, which these pages do not have), so they are dropped.
_MICROTASK_TIMERS = """() => {
    window.setTimeout = (callback, delay, ...args) => {
        if (!delay) { Promise.resolve().then(() => callback(...args)); }
        return 0;
    };
    window.clearTimeout = () => {};
}"""
_RUN = """tags => window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
}).then(results => results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
})))"""


@cache
def _axe_source() -> str | None:
    return AXE_PATH.read_text(encoding="utf-8") if AXE_PATH.is_file() else None


def _require_axe() -> str:
    source = _axe_source()
    if source is None:
        message = f"axe-core is not installed ({AXE_PATH} missing: run npm install)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI needs it")
        pytest.skip(message)
    return source


def violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on PAGE against WCAG 2.0, 2.1 and 2.2 A and AA; return every violation."""
    source = _require_axe()
    # Evaluated, not added as a <script>: a script element does not run in a context with
    # JavaScript turned off, while Playwright's own evaluation does. axe sets window.axe itself.
    if not page.evaluate("typeof window.axe === 'object'"):
        if not page.evaluate(_SCRIPTS_RUN):
            page.evaluate(_MICROTASK_TIMERS)
        page.evaluate(source)
    found: list[dict[str, Any]] = page.evaluate(_RUN, WCAG_TAGS)
    return found


def describe(found: list[dict[str, Any]]) -> str:
    """One line per violation: id, impact, help and the elements it was found on."""
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'])}" for v in found
    )


def assert_accessible(page: Page, context_label: str) -> None:
    """Fail, listing them, if axe finds serious or critical WCAG A/AA violations on PAGE."""
    blocking = [v for v in violations(page) if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(
            f"Accessibility violations on {context_label} ({page.url}):\n{describe(blocking)}",
            pytrace=False,
        )
