"""Re-encrypting identities under the current key, in batches, resumable after any stop."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from flows.answers.concern_access import rotate_notes
from models.audit_log import record_event
from models.case import Case, CaseIdentity
from models.crypto import IdentityCipher
from models.types import utcnow

BATCH = 1_000


def identities_by_key(*, session: Session) -> dict[str, int]:
    """How many identities each key encrypts."""
    rows = session.exec(
        select(CaseIdentity.key_id, func.count()).group_by(col(CaseIdentity.key_id))
    ).all()
    return {key_id: count for key_id, count in rows}


def rotate_identities(
    *,
    engine: Engine,
    cipher: IdentityCipher,
    actor: str,
    progress: Callable[[int], None] = lambda _n: None,
) -> int:
    """Re-encrypt every identity not under the current key; one transaction per batch, so a
    stopped rotation simply carries on where it stopped when run again. Concerns' notes (few)
    follow in one last transaction."""
    done = 0
    while True:
        with Session(engine) as session:
            rows = session.exec(
                select(CaseIdentity, Case.case_ref)
                .join(Case, col(Case.id) == col(CaseIdentity.case_id))
                .where(col(CaseIdentity.key_id) != cipher.current_key_id)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            now = utcnow()
            for identity, case_ref in rows:
                plaintext = cipher.decrypt(
                    identity.ciphertext, key_id=identity.key_id, context=case_ref
                )
                identity.ciphertext = cipher.encrypt(plaintext, context=case_ref)
                identity.key_id, identity.updated_at = cipher.current_key_id, now
            record_event(
                session=session,
                actor=actor,
                action="keys.rotated_batch",
                entity_type="case_identity",
                now=now,
                details={"rows": len(rows), "key_id": cipher.current_key_id},
            )
            session.commit()
        done += len(rows)
        if progress is not None:
            progress(done)
    with Session(engine) as session:
        rotate_notes(session=session, cipher=cipher)
        session.commit()
    return done
