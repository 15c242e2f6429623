"""Writing the case register in bulk (Core statements, one transaction) and reading identities."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, delete, select, update
from sqlmodel import Session, col

from flows.register.rows import CaseIdentityData, RegisterRow
from models.audit_log import record_event
from models.bulk import bulk_insert
from models.case import Case, CaseAgency, CaseFlag, CaseIdentity, ImportBatch, ImportKind
from models.crypto import IdentityCipher
from models.errors import NotFoundError

CHUNK = 5_000
CLEAR_FIELDS = ("category", "age_band", "gender", "ethnicity", "referral_date", "active")
CASE_TABLE: Table = Case.__table__  # type: ignore[attr-defined]
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


@dataclass
class CaseImportSummary:
    """What one register import changed."""

    batch_id: int
    rows: int
    created: int
    updated: int
    unchanged: int
    deactivated: int


def _clear_values(row: RegisterRow) -> tuple[Any, ...]:
    return (row.category, row.age_band, row.gender, row.ethnicity, row.referral_date, True)


def _load_state(
    session: Session,
) -> tuple[dict[str, tuple[Any, ...]], dict[int, set[str]], dict[int, set[int]], set[int]]:
    cases = {
        ref: (case_id, (category, band, gender, ethnicity, referral, active))
        for ref, case_id, category, band, gender, ethnicity, referral, active in session.execute(
            select(
                col(Case.case_ref),
                col(Case.id),
                col(Case.category),
                col(Case.age_band),
                col(Case.gender),
                col(Case.ethnicity),
                col(Case.referral_date),
                col(Case.active),
            )
        )
    }
    flags: dict[int, set[str]] = {}
    for case_id, flag in session.execute(select(col(CaseFlag.case_id), col(CaseFlag.flag))):
        flags.setdefault(case_id, set()).add(flag)
    agencies: dict[int, set[int]] = {}
    for case_id, agency_id in session.execute(
        select(col(CaseAgency.case_id), col(CaseAgency.agency_id))
    ):
        agencies.setdefault(case_id, set()).add(agency_id)
    identities = set(session.execute(select(col(CaseIdentity.case_id))).scalars())
    return cases, flags, agencies, identities


def import_register_rows(
    *,
    session: Session,
    rows: Sequence[RegisterRow],
    agency_ids: dict[str, int],
    cipher: IdentityCipher,
    source_name: str,
    sha256: str,
    actor: str,
    now: datetime,
    progress: Progress = no_progress,
) -> CaseImportSummary:
    """Upsert a full register extract by case_ref; cases missing from it become inactive."""
    batch = ImportBatch(
        kind=ImportKind.cases,
        source_name=source_name,
        sha256=sha256,
        rows=len(rows),
        actor=actor,
        imported_at=now,
    )
    session.add(batch)
    session.flush()
    assert batch.id is not None
    cases, flags, agencies, identities = _load_state(session)
    new = [r for r in rows if r.case_ref not in cases]
    total = len(rows)
    for done, chunk in enumerate(_chunks(new), start=1):
        bulk_insert(
            session=session,
            table=CASE_TABLE,
            columns=(*CLEAR_FIELDS, "case_ref", "last_batch_id", "updated_at"),
            rows=[(*_clear_values(r), r.case_ref, batch.id, now) for r in chunk],
        )
        progress("writing cases", min(done * CHUNK, len(new)), total)
    if new:
        created = session.execute(
            select(col(Case.case_ref), col(Case.id)).where(col(Case.last_batch_id) == batch.id)
        )
        cases.update({ref: (case_id, None) for ref, case_id in created})
    changed_ids: list[int] = []
    updates: list[dict[str, Any]] = []
    for row in rows:
        case_id, old = cases[row.case_ref]
        wanted_agencies = {agency_ids[code] for code in row.agencies}
        links_changed = (
            flags.get(case_id, set()) != set(row.flags)
            or agencies.get(case_id, set()) != wanted_agencies
        )
        if old is not None and links_changed:
            changed_ids.append(case_id)
        if old is not None and (old != _clear_values(row) or links_changed):
            updates.append(
                {
                    "id": case_id,
                    **dict(zip(CLEAR_FIELDS, _clear_values(row), strict=True)),
                    "last_batch_id": batch.id,
                    "updated_at": now,
                }
            )
    for update_chunk in _chunks(updates):
        session.execute(update(Case), update_chunk)
    progress("writing cases", total, total)
    _replace_links(
        session=session,
        rows=rows,
        cases=cases,
        changed_ids=changed_ids,
        created={r.case_ref for r in new},
        agency_ids=agency_ids,
    )
    _write_identities(
        session=session,
        rows=rows,
        cases=cases,
        identities=identities,
        cipher=cipher,
        now=now,
        progress=progress,
    )
    listed = {r.case_ref for r in rows}
    gone = [
        case_id
        for ref, (case_id, old) in cases.items()
        if ref not in listed and old is not None and old[-1]
    ]
    for chunk in _chunks(gone):
        session.execute(
            update(Case).where(col(Case.id).in_(chunk)).values(active=False, updated_at=now)
        )
    batch.created, batch.updated, batch.deactivated = len(new), len(updates), len(gone)
    summary = CaseImportSummary(
        batch_id=batch.id,
        rows=total,
        created=len(new),
        updated=len(updates),
        unchanged=total - len(new) - len(updates),
        deactivated=len(gone),
    )
    record_event(
        session=session,
        actor=actor,
        action="cases.imported",
        entity_type="import_batch",
        entity_id=batch.id,
        now=now,
        details={
            "source": source_name,
            "rows": total,
            "created": summary.created,
            "updated": summary.updated,
            "deactivated": summary.deactivated,
        },
    )
    return summary


def _replace_links(
    *,
    session: Session,
    rows: Sequence[RegisterRow],
    cases: dict[str, tuple[Any, ...]],
    changed_ids: list[int],
    created: set[str],
    agency_ids: dict[str, int],
) -> None:
    for chunk in _chunks(changed_ids):
        session.execute(delete(CaseFlag).where(col(CaseFlag.case_id).in_(chunk)))
        session.execute(delete(CaseAgency).where(col(CaseAgency.case_id).in_(chunk)))
    rewrite = set(changed_ids)
    flag_rows: list[tuple[int, str]] = []
    agency_rows: list[tuple[int, int]] = []
    for row in rows:
        case_id = cases[row.case_ref][0]
        if row.case_ref in created or case_id in rewrite:
            flag_rows += [(case_id, flag) for flag in row.flags]
            agency_rows += [(case_id, agency_ids[code]) for code in row.agencies]
    for model, column, link_rows in (
        (CaseFlag, "flag", flag_rows),
        (CaseAgency, "agency_id", agency_rows),
    ):
        bulk_insert(
            session=session,
            table=model.__table__,  # type: ignore[union-attr]
            columns=("case_id", column),
            rows=link_rows,
        )


def _write_identities(
    *,
    session: Session,
    rows: Sequence[RegisterRow],
    cases: dict[str, tuple[Any, ...]],
    identities: set[int],
    cipher: IdentityCipher,
    now: datetime,
    progress: Progress,
) -> None:
    inserts: list[tuple[int, str, bytes, datetime]] = []
    updates: list[dict[str, Any]] = []
    with_identity = [r for r in rows if r.identity is not None]
    for done, row in enumerate(with_identity, start=1):
        assert row.identity is not None
        case_id = cases[row.case_ref][0]
        blob = cipher.encrypt(
            row.identity.model_dump_json(exclude_defaults=True).encode(), context=row.case_ref
        )
        if case_id in identities:
            updates.append(
                {
                    "case_id": case_id,
                    "key_id": cipher.current_key_id,
                    "ciphertext": blob,
                    "updated_at": now,
                }
            )
        else:
            inserts.append((case_id, cipher.current_key_id, blob, now))
        if done % CHUNK == 0:
            progress("encrypting identities", done, len(with_identity))
    bulk_insert(
        session=session,
        table=CaseIdentity.__table__,  # type: ignore[attr-defined]
        columns=("case_id", "key_id", "ciphertext", "updated_at"),
        rows=inserts,
    )
    for values_chunk in _chunks(updates):
        session.execute(update(CaseIdentity), values_chunk)
    progress("encrypting identities", len(with_identity), len(with_identity))


def reveal_identity(
    *,
    session: Session,
    case_ref: str,
    cipher: IdentityCipher,
    actor: str,
    reason: str,
    now: datetime,
) -> CaseIdentityData:
    """Decrypt a case's identifying details; every reveal is in the audit log."""
    found = session.execute(
        select(col(Case.id), col(CaseIdentity.key_id), col(CaseIdentity.ciphertext))
        .join(CaseIdentity, col(CaseIdentity.case_id) == col(Case.id))
        .where(col(Case.case_ref) == case_ref)
    ).first()
    if found is None:
        raise NotFoundError(f"no identifying details held for case {case_ref!r}")
    case_id, key_id, blob = found
    plaintext = cipher.decrypt(blob, key_id=key_id, context=case_ref)
    record_event(
        session=session,
        actor=actor,
        action="identity.viewed",
        entity_type="case",
        entity_id=case_id,
        now=now,
        details={"reason": reason},
    )
    return CaseIdentityData.model_validate_json(plaintext)
