"""Agreement texts: the exact words a customer accepts, identified by version and hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

CURRENT_VERSION = "credit-card-2026-01"


@dataclass(frozen=True, slots=True)
class AgreementText:
    version: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@cache
def agreement(version: str = CURRENT_VERSION) -> AgreementText:
    """The agreement text of a version; `LookupError` for one we never published."""
    try:
        text = resources.files(__package__).joinpath(f"{version}.txt").read_text("utf-8")
    except (FileNotFoundError, OSError) as error:
        raise LookupError(f"no agreement text {version!r}") from error
    return AgreementText(version, text)
