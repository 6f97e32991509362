"""Settings and clients for commands, built once per invocation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pydantic import ValidationError

from seaway.cli.client import SeawayClient
from seaway.errors import InvalidInput
from seaway.settings import Settings


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "SEAWAY_" + "_".join(str(p) for p in first["loc"]).upper()
        raise InvalidInput(str(first["msg"]), field=name) from None


@contextlib.contextmanager
def client() -> Iterator[SeawayClient]:
    settings = load_settings()
    api = SeawayClient(settings.url, settings.api_key)
    try:
        yield api
    finally:
        api.close()
