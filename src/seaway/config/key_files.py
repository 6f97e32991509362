"""`accounts[].private_key_file`: a key read from beside the document, by whoever holds the document.

`seaway apply FILE` and the demo read the file relative to the document's directory and send its text as
`private_key`; the server itself never reads a path it was sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seaway.config.reader import Node
from seaway.config.target_documents import check_private_key

MAX_KEY_BYTES = 64 * 1024  # a private key is a few kilobytes; more is the wrong file


def inline_key_files(data: Any, base_dir: Path) -> tuple[Any, bool]:
    """The document with each account's `private_key_file` replaced by `private_key` (the file's text), and
    whether there was any; a file that cannot be read or is not a private key fails naming the path."""
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        return data, False
    accounts: list[Any] = []
    inlined = False
    for index, item in enumerate(data["accounts"]):
        if isinstance(item, dict) and "private_key_file" in item:
            node = Node(item["private_key_file"], f"accounts[{index}].private_key_file")
            if "private_key" in item:
                raise node.fail("give private_key or private_key_file, not both")
            text = _read_key(node, base_dir)
            item = {**{k: v for k, v in item.items() if k != "private_key_file"}, "private_key": text}
            inlined = True
        accounts.append(item)
    if not inlined:
        return data, False
    return {**data, "accounts": accounts}, True


def _read_key(node: Node, base_dir: Path) -> str:
    path = base_dir / Path(node.string()).expanduser()
    try:
        if path.stat().st_size > MAX_KEY_BYTES:
            raise node.fail(f"{path} is larger than a private key can be")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise node.fail(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise node.fail(f"{path} is not a text file") from None
    return check_private_key(text, field=node.path)
