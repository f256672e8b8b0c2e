"""Horizontal bar charts drawn on the server as SVG: no JavaScript, nothing fetched from elsewhere.

Every label is escaped here and the markup is built from numbers computed in Python, so the
result is safe to mark as such. The data table beside each chart carries the same figures for
anyone who cannot see it; the chart is one ``role="img"`` with a title and a description.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# One marker for a hidden figure, in charts and tables alike; the pages explain it.
SUPPRESSED_MARKER = "*"

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 64
ROW = 28
BAR = 18
PAD = 8
FONT = 13
# Wide enough to show as a stub, narrow enough never to be read as a count.
STUB = 6
LABEL_CHARS = 26  # about 7 units a character: beyond, a label is cut; the table shows it whole

BAR_FILL = "#1a4f8b"
INK = "#1b1f24"
MUTED = "#57606a"


@dataclass(frozen=True)
class Bar:
    """One bar: LABEL and its VALUE (a count, or a rate), None when the figure is suppressed."""

    label: str
    value: int | Decimal | None


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def number(value: int | Decimal) -> str:
    """Format VALUE for the active language: a count whole, a rate with the places it has."""
    exponent = value.as_tuple().exponent if isinstance(value, Decimal) else 0
    places = -exponent if isinstance(exponent, int) and exponent < 0 else None
    return number_format(value, decimal_pos=places, force_grouping=True)


class _Layout:
    """Map left-to-right positions to the page's direction: mirrored in a right-to-left page.

    Text anchors need no mirroring: "start" and "end" follow the SVG's ``direction``, which is
    set on the root to match rather than inherited from wherever the chart is placed.
    """

    def __init__(self, rtl: bool) -> None:
        self.rtl = rtl

    def x(self, left: float, width: float = 0) -> float:
        return WIDTH - left - width if self.rtl else left


def _text(layout: _Layout, left: float, y: float, anchor: str, text: str, fill: str = INK) -> str:
    return (
        f'<text x="{layout.x(left):.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'font-size="{FONT}" fill="{fill}">{escape(text)}</text>'
    )


def _rect(layout: _Layout, left: float, y: float, width: float, height: float, paint: str) -> str:
    return (
        f'<rect x="{layout.x(left, width):g}" y="{y:g}" width="{width:g}" height="{height:g}" '
        f"{paint}/>"
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    suppressed_note: str = "",
    rtl: bool = False,
) -> SafeString:
    """Return an SVG bar chart of BARS, one row each, largest value filling the plot width.

    CHART_ID prefixes the ids of the title, description and hatch pattern, so it must be unique
    in the page. A suppressed bar is a hatched, outlined stub marked with SUPPRESSED_MARKER;
    SUPPRESSED_NOTE explains the marker in a legend shown when any bar is suppressed.
    """
    layout = _Layout(rtl)
    ident = escape(chart_id)
    hatch = f"{ident}-hatch"
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PAD
    largest = max((bar.value for bar in bars if bar.value), default=0)
    hidden = any(bar.value is None for bar in bars)
    parts: list[str] = []
    for row, bar in enumerate(bars):
        top = PAD + row * ROW
        middle = top + BAR / 2 + FONT / 3
        parts.append(_text(layout, LABEL_WIDTH - PAD, middle, "end", _short(bar.label)))
        if bar.value is None:
            width: float = STUB
            paint = f'fill="url(#{hatch})" stroke="{MUTED}" stroke-width="1"'
            shown = SUPPRESSED_MARKER
        else:
            # A count of 1 beside one of thousands still shows as a sliver, never as nothing.
            width = max(plot * float(bar.value / largest), 1) if bar.value else 0
            paint = f'fill="{BAR_FILL}"'
            shown = number(bar.value)
        if width:
            parts.append(_rect(layout, LABEL_WIDTH, top, round(width, 1), BAR, paint))
        parts.append(_text(layout, LABEL_WIDTH + width + PAD / 2, middle, "start", shown))
    height: float = PAD + max(len(bars), 1) * ROW
    if hidden and suppressed_note:
        legend = height + PAD / 2
        paint = f'fill="url(#{hatch})" stroke="{MUTED}" stroke-width="1"'
        parts.append(_rect(layout, PAD, legend, BAR, BAR, paint))
        note = f"{SUPPRESSED_MARKER} {suppressed_note}"
        middle = legend + BAR / 2 + FONT / 3
        parts.append(_text(layout, PAD + BAR + PAD, middle, "start", note, MUTED))
        height = legend + BAR + PAD
    markup = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}" '
        f'aria-labelledby="{ident}-title {ident}-desc" direction="{"rtl" if rtl else "ltr"}" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f'<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="4" stroke="{MUTED}" stroke-width="2"/></pattern></defs>'
        f"{''.join(parts)}</svg>"
    )
    return mark_safe(markup)  # noqa: S308 (every label and id is escaped above; the rest is numbers)
