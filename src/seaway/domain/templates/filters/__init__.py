"""The built-in filters, looked up by name ignoring case (`tobase64` works)."""

from __future__ import annotations

from collections.abc import Sequence

from seaway.domain.templates.filters import dates, encoding, escaping, markdown, matching, text, uri_part, versions
from seaway.domain.templates.filters.context import Filter, FilterContext

FILTERS: dict[str, Filter] = {
    "toupper": text.to_upper,
    "tolower": text.to_lower,
    "trim": text.trim,
    "substring": text.substring,
    "truncate": text.truncate,
    "indent": text.indent,
    "append": text.append,
    "prepend": text.prepend,
    "null": text.null,
    "match": matching.match,
    "replace": matching.replace,
    "startswith": matching.starts_with,
    "endswith": matching.ends_with,
    "contains": matching.contains,
    "htmlescape": escaping.html_escape,
    "xmlescape": escaping.xml_escape,
    "jsonescape": escaping.json_escape,
    "yamlsinglequoteescape": escaping.yaml_single_quote_escape,
    "yamldoublequoteescape": escaping.yaml_double_quote_escape,
    "propertieskeyescape": escaping.properties_key_escape,
    "propertiesvalueescape": escaping.properties_value_escape,
    "uriescape": escaping.uri_escape,
    "uridataescape": escaping.uri_data_escape,
    "tobase64": encoding.to_base64,
    "frombase64": encoding.from_base64,
    # Seaway's own spellings of the two Base64 filters.
    "base64encode": encoding.to_base64,
    "base64decode": encoding.from_base64,
    "md5": encoding.md5,
    "sha1": encoding.sha1,
    "sha256": encoding.sha256,
    "sha384": encoding.sha384,
    "sha512": encoding.sha512,
    "markdown": markdown.markdown_to_html,
    "markdowntohtml": markdown.markdown_to_html,
    "nowdate": dates.now_date,
    "nowdateutc": dates.now_date_utc,
    "adddays": dates.add_days,
    "addhours": dates.add_hours,
    "format": dates.format_filter,
    "uripart": uri_part.uri_part,
    **versions.PARTS,
}


def invoke(name: str, argument: str | None, options: Sequence[str], context: FilterContext) -> str | None:
    """Apply the filter called `name`; None (so the token is echoed) if there is no such filter."""
    function = FILTERS.get(name.lower())
    if function is None:
        return None
    return function(argument, options, context)


__all__ = ["FILTERS", "Filter", "FilterContext", "invoke"]
