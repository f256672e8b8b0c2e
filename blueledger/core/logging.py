"""Keep client identifiers out of every log line."""

import ipaddress
import logging
import re

# Candidates only: anything that looks like an IPv4 or IPv6 address (compressed forms and an
# embedded IPv4 included). Each is confirmed by the ipaddress module, so times such as 12:30:45 and
# version numbers stay readable.
_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_CANDIDATE = re.compile(
    rf"(?<![\w.]){_IPV4}(?!\w|\.\d)"
    rf"|(?<![\w:.])[0-9A-Fa-f]{{0,4}}(?::[0-9A-Fa-f]{{0,4}}){{2,7}}(?:{_IPV4})?(?:%\w+)?(?![\w:]|\.\d)"
)
REDACTED = "[address]"


def _redact_match(match: re.Match[str]) -> str:
    text = match.group(0)
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text
    return REDACTED


def redact_addresses(text: str) -> str:
    """Replace every IPv4 and IPv6 address in TEXT."""
    return _CANDIDATE.sub(_redact_match, text)


class PersonalDataFilter(logging.Filter):
    """Redact addresses from every record and drop request objects Django attaches to errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_addresses(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = redact_addresses(record.exc_text)
        if hasattr(record, "request"):
            record.request = None
        return True
