"""Structured logging without personal data.

Our own code logs ids, never names, UPNs, dates of birth or email addresses.
As a second line of defence, RedactPersonalData scrubs anything that looks like
an email address, a UPN or a date from every record (third-party libraries
sometimes put such values in their messages), and the JSON formatter writes one
object per line for log collectors."""

import json
import logging
import re

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    # A UPN: a letter then 11 digits then a digit or letter (DOMAIN.md 1.5a).
    (re.compile(r"\b[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]\b"), "[upn]"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b(?![T:\d])"), "[date]"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"), "[date]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Keep the traceback's shape but not the exception's message,
            # which may quote a value the user typed.
            exc_type = record.exc_info[0]
            record.exc_text = f"{exc_type.__module__}.{exc_type.__qualname__} (message withheld)"
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload)
