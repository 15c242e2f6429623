from __future__ import annotations

import base64
import os

import pytest

from models.crypto import IdentityCipher, decode_key, key_id_of, load_cipher, write_new_key_file
from models.errors import ConfigurationError
from models.settings import Settings


def test_identity_data_round_trips_and_is_bound_to_its_case() -> None:
    cipher = IdentityCipher.from_keys(os.urandom(32))
    blob = cipher.encrypt(b"Ann Example", context="DA-1")
    assert b"Ann" not in blob
    assert cipher.decrypt(blob, key_id=cipher.current_key_id, context="DA-1") == b"Ann Example"
    with pytest.raises(ConfigurationError, match="integrity check"):
        cipher.decrypt(blob, key_id=cipher.current_key_id, context="DA-2")


def test_the_same_plaintext_encrypts_differently_each_time() -> None:
    cipher = IdentityCipher.from_keys(os.urandom(32))
    assert cipher.encrypt(b"x", context="c") != cipher.encrypt(b"x", context="c")


def test_an_older_key_still_decrypts_after_a_new_key_becomes_current() -> None:
    old, new = os.urandom(32), os.urandom(32)
    blob = IdentityCipher.from_keys(old).encrypt(b"secret", context="c")
    rotated = IdentityCipher.from_keys(new, old)
    assert rotated.current_key_id == key_id_of(new)
    assert rotated.decrypt(blob, key_id=key_id_of(old), context="c") == b"secret"
    with pytest.raises(ConfigurationError, match="restore it from its backup"):
        IdentityCipher.from_keys(new).decrypt(blob, key_id=key_id_of(old), context="c")


def test_a_malformed_key_is_refused_with_advice() -> None:
    with pytest.raises(ConfigurationError, match="must be 32 random bytes in base64"):
        decode_key(base64.b64encode(b"short").decode(), where="JOINTAUDIT_IDENTITY_KEY")
    with pytest.raises(ConfigurationError, match="JOINTAUDIT_IDENTITY_KEY must be"):
        decode_key("not base64 at all!", where="JOINTAUDIT_IDENTITY_KEY")


def test_the_development_key_file_is_private_and_never_overwritten(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "keys" / "identity.key"
    key = write_new_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        write_new_key_file(path)
    settings = Settings(data_dir=tmp_path, identity_key=None)
    assert settings.identity_key_file == path
    assert load_cipher(settings).current_key_id == key_id_of(key)


def test_without_any_key_the_error_says_to_run_init(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match="run `jointaudit init`"):
        load_cipher(Settings(data_dir=tmp_path, identity_key=None))


def test_a_batch_encrypts_each_plaintext_bound_to_its_own_case_with_its_own_nonce() -> None:
    cipher = IdentityCipher.from_keys(os.urandom(32))
    plaintexts = [f'{{"child_name":"Child {n}"}}'.encode() for n in range(50)]
    contexts = [f"DA-{n}" for n in range(50)]
    blobs = cipher.encrypt_many(plaintexts, contexts=contexts)
    key_id = cipher.current_key_id
    pairs = zip(blobs, contexts, strict=True)
    assert [cipher.decrypt(b, key_id=key_id, context=c) for b, c in pairs] == plaintexts
    assert len({blob[:12] for blob in blobs}) == 50
    with pytest.raises(ConfigurationError, match="integrity check"):
        cipher.decrypt(blobs[0], key_id=key_id, context=contexts[1])
