"""Package ids and versions read from a file name, as Octopus reads them (`RandomQuotes.1.0.1.zip`)."""

from __future__ import annotations

import re

from seaway.errors import InvalidInput

_PACKAGE_ID = re.compile(r"^\w+([_.-]\w+)*$")


def validate_package_id(package_id: str, *, field: str = "package.id") -> str:
    if len(package_id) > 100 or not _PACKAGE_ID.match(package_id):
        raise InvalidInput(
            f'"{package_id}" is not a valid package id (letters and digits in parts joined by ".", "-" or "_")',
            field=field,
        )
    return package_id
