"""Reading list files: text decoding, CSV rows with line numbers, version digests."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from journey.query_side.restrictive_lists.lists.errors import ListFormatError, ListLoadError

_END_OF_FILE = "\x1a"  # some OFAC downloads end with a DOS end-of-file character


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ListLoadError(f"{path}: cannot read ({error.strerror or error})") from None


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark); older OFAC files are Latin-1."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def csv_rows(path: Path, data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank record."""
    reader = csv.reader(io.StringIO(decode(data), newline=""), strict=True)
    try:
        for row in reader:
            if all(cell.strip() in ("", _END_OF_FILE) for cell in row):
                continue
            yield reader.line_num, row
    except csv.Error as error:
        raise ListFormatError(path, reader.line_num, f"not valid CSV ({error})") from None


def digest(files: Sequence[tuple[str, bytes]]) -> str:
    """A short, stable digest of a list's files: the list version clearances are tied to."""
    sha = hashlib.sha256()
    for name, data in files:
        sha.update(name.encode())
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()[:16]
