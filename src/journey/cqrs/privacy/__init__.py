"""Personal data protection: per-subject keys kept outside the log, field encryption, erasure."""

from journey.cqrs.privacy.cipher import FieldCipher, is_encrypted
from journey.cqrs.privacy.erasure import PersonalDataErased, erase_subject, erasure_stream
from journey.cqrs.privacy.keystore import KeyStore, MemoryKeyStore, SubjectErasedError
from journey.cqrs.privacy.sqlite_keystore import SqliteKeyStore

__all__ = [
    "FieldCipher",
    "KeyStore",
    "MemoryKeyStore",
    "PersonalDataErased",
    "SqliteKeyStore",
    "SubjectErasedError",
    "erase_subject",
    "erasure_stream",
    "is_encrypted",
]
