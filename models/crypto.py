"""Encryption at rest for identifying details: AES-256-GCM, bound to the case it belongs to."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.errors import ConfigurationError
from models.settings import Settings

NONCE_BYTES = 12
KEY_BYTES = 32


def key_id_of(key: bytes) -> str:
    """A short public name for a key (so rows say which key encrypted them)."""
    return hashlib.sha256(b"jointaudit-key-id:" + key).hexdigest()[:16]


def decode_key(text: str, *, where: str) -> bytes:
    """A 32-byte key from its base64 text, or a clear error naming where it came from."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigurationError(
            f"{where} must be {KEY_BYTES} random bytes in base64 "
            "(generate one with: python -c 'import os,base64;"
            "print(base64.b64encode(os.urandom(32)).decode())')"
        )
    return key


@dataclass(frozen=True)
class IdentityCipher:
    """Encrypts with the current key; decrypts with any key it holds (for rotation)."""

    keys: dict[str, bytes]
    current_key_id: str

    @classmethod
    def from_keys(cls, current: bytes, *older: bytes) -> IdentityCipher:
        """A cipher whose current key is the first one."""
        keys = {key_id_of(k): k for k in (current, *older)}
        return cls(keys=keys, current_key_id=key_id_of(current))

    def encrypt(self, plaintext: bytes, *, context: str) -> bytes:
        """Nonce and ciphertext; `context` (the case_ref) must match again on decryption."""
        nonce = os.urandom(NONCE_BYTES)
        aead = AESGCM(self.keys[self.current_key_id])
        return nonce + aead.encrypt(nonce, plaintext, context.encode())

    def encrypt_many(self, plaintexts: Sequence[bytes], *, contexts: Sequence[str]) -> list[bytes]:
        """`encrypt` of each plaintext with its context, with one key schedule and one draw of
        random nonces for the whole batch."""
        encrypt = AESGCM(self.keys[self.current_key_id]).encrypt
        pool = os.urandom(NONCE_BYTES * len(plaintexts))
        nonces = [pool[i : i + NONCE_BYTES] for i in range(0, len(pool), NONCE_BYTES)]
        return [
            nonce + encrypt(nonce, plaintext, context.encode())
            for nonce, plaintext, context in zip(nonces, plaintexts, contexts, strict=True)
        ]

    def decrypt(self, blob: bytes, *, key_id: str, context: str) -> bytes:
        """The plaintext, or ConfigurationError when the key is unknown or the data altered."""
        key = self.keys.get(key_id)
        if key is None:
            raise ConfigurationError(
                f"identity key {key_id} is not configured: restore it from its backup"
            )
        try:
            return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())
        except InvalidTag:
            raise ConfigurationError(
                "identity data failed its integrity check (wrong key, or altered data)"
            ) from None


def write_new_key_file(path: Path) -> bytes:
    """Generate a key into a file readable only by its owner; never overwrites one."""
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(base64.b64encode(key).decode() + "\n")
    return key


def load_cipher(settings: Settings) -> IdentityCipher:
    """The current key (JOINTAUDIT_IDENTITY_KEY or the development key file) and the retired
    keys still needed to read older rows."""
    retired = [
        decode_key(k.get_secret_value(), where="JOINTAUDIT_IDENTITY_PREVIOUS_KEYS")
        for k in settings.identity_previous_keys
    ]
    if settings.identity_key is not None:
        key = decode_key(settings.identity_key.get_secret_value(), where="JOINTAUDIT_IDENTITY_KEY")
        return IdentityCipher.from_keys(key, *retired)
    path = settings.identity_key_file
    if not path.exists():
        raise ConfigurationError(
            f"no key for identifying details: run `jointaudit init` (creates {path}) "
            "or set JOINTAUDIT_IDENTITY_KEY"
        )
    retired += [
        decode_key(old.read_text(), where=str(old))
        for old in sorted(path.parent.glob("identity-retired-*.key"))
    ]
    return IdentityCipher.from_keys(decode_key(path.read_text(), where=str(path)), *retired)


def retire_development_key(settings: Settings) -> str:
    """Keep the development key as retired and write a new current one; returns the new id."""
    path = settings.identity_key_file
    if not path.exists():
        raise ConfigurationError(f"no development key at {path}: run `jointaudit init`")
    old = decode_key(path.read_text(), where=str(path))
    path.rename(path.with_name(f"identity-retired-{key_id_of(old)}.key"))
    return key_id_of(write_new_key_file(path))
