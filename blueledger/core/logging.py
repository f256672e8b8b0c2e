"""Keep client identifiers out of every log line."""

import logging
import re

# IPv4, IPv6 and the request line Django's server logs: none of them may identify a reporter.
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b")


class PersonalDataFilter(logging.Filter):
    """Redact addresses from every record and drop request objects Django attaches to errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _IPV6.sub("[address]", _IPV4.sub("[address]", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        if hasattr(record, "request"):
            record.request = None
        return True
