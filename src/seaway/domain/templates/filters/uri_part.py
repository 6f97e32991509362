"""`UriPart`: one part of a URI, with the names and results of .NET's `System.Uri` (on Windows).

Relative references (`/docs`, `docs/a`) have no parts; asking for one gives .NET's message as the
result text. Text that is not a URI at all comes back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, ip_address
from urllib.parse import quote, unquote, urlsplit

from seaway.domain.templates.filters.context import FilterContext

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]+:")
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/]")
_DEFAULT_PORTS = {
    "http": 80,
    "https": 443,
    "ws": 80,
    "wss": 443,
    "ftp": 21,
    "gopher": 70,
    "nntp": 119,
    "telnet": 23,
    "ldap": 389,
    "mailto": 25,
    "net.tcp": 808,
}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_RELATIVE = "This operation is not supported for a relative URI."


@dataclass(frozen=True, slots=True)
class _Uri:
    scheme: str
    user_info: str
    host: str
    port: int  # -1 when the scheme has none
    explicit_port: bool
    path: str  # escaped, dot segments removed
    query: str
    fragment: str

    @property
    def default_port(self) -> bool:
        return not self.explicit_port or self.port == _DEFAULT_PORTS.get(self.scheme, -1)

    @property
    def authority(self) -> str:
        return self.host if self.default_port or self.port < 0 else f"{self.host}:{self.port}"

    @property
    def host_type(self) -> str:
        if not self.host:
            return "Basic"
        try:
            address = ip_address(self.host.strip("[]"))
        except ValueError:
            return "Dns"
        return "IPv4" if isinstance(address, IPv4Address) else "IPv6"

    @property
    def loopback(self) -> bool:
        if self.host.lower() == "localhost" or (self.scheme == "file" and not self.host):
            return True
        try:
            return ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False

    @property
    def local_path(self) -> str:
        path = unquote(self.path)
        if self.scheme != "file":
            return path
        if self.host:
            return "\\\\" + self.host + path.replace("/", "\\")
        return path.lstrip("/").replace("/", "\\")

    @property
    def absolute_uri(self) -> str:
        user = f"{self.user_info}@" if self.user_info else ""
        slashes = "//" if self.host or self.scheme == "file" else ""
        return f"{self.scheme}:{slashes}{user}{self.authority}{self.path}{self.query}{self.fragment}"


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result


def _parse(text: str) -> _Uri | str | None:
    """The URI; "relative" for a relative reference; None for text .NET does not accept at all."""
    if text.startswith("\\\\"):
        text = "file:" + text.replace("\\", "/")
    elif _WINDOWS_PATH.match(text):
        text = "file:///" + text.replace("\\", "/")
    if not _SCHEME.match(text):
        return "relative"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if parts.netloc and ("[" in parts.netloc) and not host.startswith("["):
        host = f"[{host}]"
    if "//" in text[: len(scheme) + 3] and scheme != "file" and not host:
        return None
    if any(c.isspace() for c in host):
        return None
    user_info = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    path = parts.path.replace("\\", "/")
    if scheme == "mailto" and "@" in path:
        user_info, _, host = path.partition("@")
        path = ""
    elif parts.netloc or scheme == "file":
        path = _remove_dot_segments(path or "/")
    path = quote(path, safe=_PATH_SAFE)
    return _Uri(
        scheme=scheme,
        user_info=user_info,
        host=host,
        port=port if port is not None else _DEFAULT_PORTS.get(scheme, -1),
        explicit_port=port is not None,
        path=path,
        query=f"?{quote(parts.query, safe=_PATH_SAFE + '?')}" if parts.query or text.endswith("?") else "",
        fragment=f"#{parts.fragment}" if parts.fragment or text.endswith("#") else "",
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


_PARTS: dict[str, Callable[[_Uri], str]] = {
    "absolutepath": lambda uri: uri.path,
    "absoluteuri": lambda uri: uri.absolute_uri,
    "authority": lambda uri: uri.authority,
    "dnssafehost": lambda uri: uri.host.strip("[]"),
    "fragment": lambda uri: uri.fragment,
    "host": lambda uri: uri.host,
    "hostandport": lambda uri: uri.host if uri.port < 0 else f"{uri.host}:{uri.port}",
    "hostnametype": lambda uri: uri.host_type,
    "isabsoluteuri": lambda uri: "true",
    "isdefaultport": lambda uri: _flag(uri.default_port),
    "isfile": lambda uri: _flag(uri.scheme == "file"),
    "isloopback": lambda uri: _flag(uri.loopback),
    "isunc": lambda uri: _flag(uri.scheme == "file" and bool(uri.host)),
    "path": lambda uri: uri.local_path,
    "pathandquery": lambda uri: uri.path + uri.query,
    "port": lambda uri: str(uri.port),
    "query": lambda uri: uri.query,
    "scheme": lambda uri: uri.scheme,
    "schemeandserver": lambda uri: f"{uri.scheme}://{uri.authority}" if uri.host else f"{uri.scheme}:",
    "userinfo": lambda uri: uri.user_info,
}


def uri_part(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None:
        return None
    if not options:
        return "[UriPart error: no argument given]"
    uri = _parse(argument)
    if uri is None:
        return argument
    name = options[0]
    part = _PARTS.get(name.lower())
    if part is None:
        return f"[UriPart {name} error: argument '{name}' not supported]"
    if isinstance(uri, str):
        return "false" if name.lower() == "isabsoluteuri" else f"[UriPart {name} error: {_RELATIVE}]"
    return part(uri)
