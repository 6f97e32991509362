"""Receiving a package upload: the multipart body is parsed as it streams in and the file part goes
straight to the feed's incoming directory, hashed on the way, so a 2 GB package is never held in memory
(nor copied through a temporary file first).

The first part that carries a file name is the package, whatever the part is called (`fileToUpload`,
`file`, `data`: each client names it differently); small text parts are kept as form fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from seaway.errors import InvalidInput
from seaway.packages.files import PackageFiles, Upload

MAX_FIELD_BYTES = 64 * 1024


@dataclass
class ReceivedUpload:
    file_name: str
    upload: Upload
    sha256: str
    fields: dict[str, str] = field(default_factory=dict)


class _Parts:
    def __init__(self, files: PackageFiles, limit: int) -> None:
        self.files = files
        self.limit = limit
        self.headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self.current: Upload | bytearray | None = None
        self.current_name = ""
        self.upload: Upload | None = None
        self.file_name = ""
        self.fields: dict[str, str] = {}
        self.error: Exception | None = None

    def on_part_begin(self) -> None:
        self.headers = {}
        self.current = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        file_name = options.get(b"filename")
        if file_name is not None and self.upload is None:
            # Only the base name: a client may send a path, and it must never steer where anything goes.
            self.file_name = file_name.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            self.upload = self.current = self.files.begin(self.limit)
        elif file_name is None:
            self.current, self.current_name = bytearray(), name
        else:
            self.current = None  # a second file: ignored, as Octopus takes only the first

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if isinstance(self.current, Upload):
            self.current.buffer(memoryview(data)[start:end])
        elif isinstance(self.current, bytearray):
            self.current += data[start:end]
            if len(self.current) > MAX_FIELD_BYTES:
                raise InvalidInput(f"form field {self.current_name} is too long", field=self.current_name)

    def on_part_end(self) -> None:
        if isinstance(self.current, bytearray):
            self.fields[self.current_name] = self.current.decode("utf-8", "replace")
        self.current = None


async def receive_package(
    content_type: str | None, body: AsyncIterator[bytes], files: PackageFiles, *, limit: int
) -> ReceivedUpload:
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidInput("send the package as multipart/form-data with one file part", field="file")
    parts = _Parts(files, limit)
    callbacks = {name: getattr(parts, name) for name in dir(parts) if name.startswith("on_")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in body:
            parser.write(chunk)
            if parts.upload is not None:
                await parts.upload.drain()
        parser.finalize()
        if parts.upload is not None:
            await parts.upload.drain(final=True)
    except BaseException as exc:
        if parts.upload is not None:
            await parts.upload.abandon()
        if isinstance(exc, FormParserError):
            raise InvalidInput(f"the multipart body is malformed: {exc}", field="file") from None
        raise
    if parts.upload is None:
        raise InvalidInput("the request has no file part (send the package as a file)", field="file")
    return ReceivedUpload(parts.file_name, parts.upload, parts.upload.finish(), parts.fields)
