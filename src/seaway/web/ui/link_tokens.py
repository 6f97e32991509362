"""Keeping approval-link tokens out of logs.

A link token in a log line is a live credential for anyone who can read the log, so `/links/<token>` is
cut to `/links/<first 6 characters>…` in every record of uvicorn's loggers (its access log prints
each request's path) and in Seaway's own log lines, which name links by fingerprint anyway.
"""

from __future__ import annotations

import logging
import re

# Everything up to the next path, query, fragment or quoting character is the token.
_LINK_PATH = re.compile(r"/links/([^/?#\s\"'<>]+)")
KEPT_CHARACTERS = 6
LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact_link_tokens(text: str) -> str:
    return _LINK_PATH.sub(lambda m: f"/links/{m.group(1)[:KEPT_CHARACTERS]}…", text)


class LinkTokenFilter(logging.Filter):
    """Rewrites the message and its arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/links/" in record.msg:
            record.msg = redact_link_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_link_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact_link_tokens(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def hide_tokens_in_access_log() -> None:
    """Install the filter on uvicorn's loggers, once however many apps are created.

    A logger's own filter sees only records logged on that logger, which is where uvicorn logs requests;
    `logging.config.dictConfig` (uvicorn's log set-up) replaces handlers but keeps logger filters.
    """
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, LinkTokenFilter) for f in logger.filters):
            logger.addFilter(LinkTokenFilter())
