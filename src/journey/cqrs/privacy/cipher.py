"""Field-level encryption of personal data with AES-256-GCM.

An encrypted field is replaced in the stored JSON by a self-describing marker
`{"$pii": 1, "s": subject, "c": base64(nonce + ciphertext)}`, bound to its subject and field
name (associated data), so a ciphertext cannot be moved to another field or subject unnoticed.
Markers are recognised without the event's schema, which lets decryption run before upcasting.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MARKER = "$pii"


def is_encrypted(value: Any) -> bool:
    return isinstance(value, dict) and value.get(MARKER) == 1 and "c" in value and "s" in value


class FieldCipher:
    """Encrypts and decrypts single JSON values of a subject's personal data."""

    def encrypt(self, key: bytes, subject: str, field: str, value: Any) -> dict[str, Any]:
        nonce = os.urandom(12)
        ciphertext = AESGCM(key).encrypt(nonce, orjson.dumps(value), _aad(subject, field))
        return {MARKER: 1, "s": subject, "c": base64.b64encode(nonce + ciphertext).decode()}

    def decrypt(self, key: bytes, field: str, marker: dict[str, Any]) -> Any:
        raw = base64.b64decode(marker["c"])
        try:
            plaintext = AESGCM(key).decrypt(raw[:12], raw[12:], _aad(marker["s"], field))
        except InvalidTag as error:
            raise ValueError(f"personal field {field!r} failed authentication") from error
        return orjson.loads(plaintext)

    @staticmethod
    def subject_of(marker: dict[str, Any]) -> str:
        return str(marker["s"])


def _aad(subject: str, field: str) -> bytes:
    return f"{subject}\x1f{field}".encode()
