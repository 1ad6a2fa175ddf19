"""The README's kernel example runs as written (documentation that cannot rot silently)."""

from __future__ import annotations

import re
from pathlib import Path

from journey.bootstrap import bootstrap
from journey.cqrs import Module
from journey.cqrs.privacy.keystore import MemoryKeyStore
from journey.cqrs.store.memory import MemoryStorage
from journey.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


async def test_the_readme_example_opens_an_account_with_its_name_encrypted() -> None:
    (block,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(block, str(README), "exec", dont_inherit=True), namespace)
    storage = MemoryStorage()
    kernel = await bootstrap(
        Settings(event_store="memory", key_store="memory"),
        modules=[
            Module(
                name="readme",
                events=[namespace["AccountOpened"]],  # type: ignore[list-item]
                commands={namespace["OpenAccount"]: namespace["open_account"]},  # type: ignore[dict-item]
            )
        ],
        storage=storage,
        keys=MemoryKeyStore(),
    )
    command = namespace["OpenAccount"](account_id="a1", customer_id="c1", name="Ada Lovelace")  # type: ignore[operator]
    result = await kernel.commands.send(command)
    assert (result.value, result.position) == ("a1", 1)
    (stored,) = await storage.read_stream("account-a1")
    assert "Lovelace" not in stored.data
