"""Why a list could not be loaded, naming the file and, where there is one, the line."""

from __future__ import annotations

from pathlib import Path


class ListLoadError(Exception):
    """A list directory or file could not be used; the message says which and why."""


class ListFormatError(ListLoadError):
    """A list file does not follow its format."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path} line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
