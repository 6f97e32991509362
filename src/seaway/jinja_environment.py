"""The one way Seaway sets up Jinja, for the browser pages (`seaway.web`) and the emails (`seaway.notify`).

Both autoescape HTML, treat a variable the template names but the context lacks as an error rather than
as an empty string, and lay templates out line by line: block tags leave no blank lines behind.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def jinja_environment(package: str, *, keep_trailing_newline: bool = False) -> Environment:
    """The environment for the templates in `package`'s `templates/` folder. Text emails keep their final
    newline (`keep_trailing_newline`); pages, whose whitespace does not matter, drop it as Jinja does."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
    )
