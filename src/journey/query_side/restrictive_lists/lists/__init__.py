"""Loading restrictive lists from a directory of files in their published formats.

| file | list | format |
|---|---|---|
| `sdn.csv` (+ `add.csv`, `alt.csv`, `sdn_comments.csv`) | `OFAC-SDN` | OFAC legacy CSV release |
| `consolidated.xml` | `UN` | UN Security Council Consolidated List XML |
| `pep.csv` | `PEP` | our CSV (`simple_csv`) |
| `internal.csv` | `INTERNAL` | our CSV (`simple_csv`) |

File names are matched without regard to case; a directory needs at least one of the four.
Without a directory, the synthetic sample lists shipped in the package are loaded.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from journey.query_side.restrictive_lists.entries import ListSet, LoadedList
from journey.query_side.restrictive_lists.lists.errors import ListFormatError, ListLoadError
from journey.query_side.restrictive_lists.lists.ofac import load_ofac
from journey.query_side.restrictive_lists.lists.simple_csv import load_simple_csv
from journey.query_side.restrictive_lists.lists.un import load_un

__all__ = ["ListFormatError", "ListLoadError", "load_lists", "shipped_lists_dir"]

LIST_FILES = ("sdn.csv", "consolidated.xml", "pep.csv", "internal.csv")
PEP_TOPICS = ("role.pep",)
INTERNAL_TOPICS = ("internal.blacklist",)


def shipped_lists_dir() -> Path:
    """Where the package's synthetic sample lists are (inside the installed package)."""
    return Path(str(resources.files("journey.query_side.restrictive_lists").joinpath("data")))


def load_lists(directory: Path | None = None) -> ListSet:
    """Every list found in `directory` (default: the shipped samples), in a fixed order."""
    folder = directory if directory is not None else shipped_lists_dir()
    if not folder.is_dir():
        raise ListLoadError(f"{folder}: not a directory of lists")
    files = {path.name.lower(): path for path in folder.iterdir() if path.is_file()}
    loaded: list[LoadedList] = []
    if "sdn.csv" in files:
        loaded.append(
            load_ofac(
                files["sdn.csv"],
                add=files.get("add.csv"),
                alt=files.get("alt.csv"),
                comments=files.get("sdn_comments.csv"),
            )
        )
    if "consolidated.xml" in files:
        loaded.append(load_un(files["consolidated.xml"]))
    if "pep.csv" in files:
        loaded.append(load_simple_csv(files["pep.csv"], list_name="PEP", default_topics=PEP_TOPICS))
    if "internal.csv" in files:
        loaded.append(
            load_simple_csv(
                files["internal.csv"], list_name="INTERNAL", default_topics=INTERNAL_TOPICS
            )
        )
    if not loaded:
        raise ListLoadError(f"{folder}: no list files (expected any of {', '.join(LIST_FILES)})")
    return ListSet(tuple(loaded))
