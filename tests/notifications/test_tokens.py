from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.outbox import SignInToken
from notifications.errors import SignInTokenError
from notifications.tokens import consume_sign_in_token, hash_token, mint_sign_in_token
from tests.builders import NOW

TTL = timedelta(days=7)


def _mint(session: Session, person_id: int) -> str:
    raw = mint_sign_in_token(session=session, person_id=person_id, round_id=3, now=NOW, ttl=TTL)
    session.commit()
    return raw


def test_a_token_has_at_least_128_random_bits_and_only_its_hash_is_stored(
    session: Session, people: dict[str, int]
) -> None:
    raw = _mint(session, people["lead@police.example.org"])
    assert len(raw) >= 22  # url-safe base64: 6 bits a character
    [stored] = session.exec(select(SignInToken)).all()
    assert stored.token_hash == hash_token(raw) and raw not in stored.token_hash
    assert stored.expires_at == NOW + TTL and stored.round_id == 3


def test_every_mint_gives_a_different_token(session: Session, people: dict[str, int]) -> None:
    person = people["lead@police.example.org"]
    assert len({_mint(session, person) for _ in range(20)}) == 20


def test_a_token_signs_in_once_and_then_never_again(
    session: Session, people: dict[str, int]
) -> None:
    raw = _mint(session, people["lead@csc.example.org"])
    token = consume_sign_in_token(session=session, raw_token=raw, now=NOW + timedelta(hours=1))
    session.commit()
    assert token.person_id == people["lead@csc.example.org"]
    assert token.used_at == NOW + timedelta(hours=1)
    with pytest.raises(SignInTokenError, match="not valid"):
        consume_sign_in_token(session=session, raw_token=raw, now=NOW + timedelta(hours=2))


def test_an_expired_token_is_refused(session: Session, people: dict[str, int]) -> None:
    raw = _mint(session, people["lead@csc.example.org"])
    with pytest.raises(SignInTokenError):
        consume_sign_in_token(session=session, raw_token=raw, now=NOW + TTL)


def test_an_unknown_token_is_refused_with_the_same_message(session: Session) -> None:
    with pytest.raises(SignInTokenError, match="not valid"):
        consume_sign_in_token(session=session, raw_token="made-up", now=NOW)


@pytest.mark.parametrize(
    ("landing", "kept"),
    [
        ("/concerns/7", "/concerns/7"),
        ("//evil.example.org/x", None),
        ("https://evil.example.org/", None),
        ("/\\evil.example.org", None),
        (None, None),
    ],
)
def test_a_token_keeps_a_landing_page_only_when_it_is_one_of_the_portals_own(
    session: Session, people: dict[str, int], landing: str | None, kept: str | None
) -> None:
    raw = mint_sign_in_token(
        session=session,
        person_id=people["lead@police.example.org"],
        round_id=None,
        now=NOW,
        ttl=TTL,
        landing=landing,
    )
    session.commit()
    used = consume_sign_in_token(session=session, raw_token=raw, now=NOW)
    assert used.landing == kept
