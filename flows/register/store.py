"""Writing the case register in bulk (one COPY or executemany per table, in one transaction)
and reading identities."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, delete, select, update
from sqlmodel import Session, col

from flows.register.rows import CaseIdentityData, Register
from models.audit_log import record_event
from models.bulk import bulk_insert, bulk_insert_columns, reserve_ids
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


def _insert_cases(
    session: Session, register: Register, new: list[int], batch_id: int, now: datetime
) -> list[int]:
    def pick(values: list[Any]) -> list[Any]:
        return values if len(new) == len(register) else [values[i] for i in new]

    ids = reserve_ids(session=session, table=CASE_TABLE, count=len(new))
    bulk_insert_columns(
        session=session,
        table=CASE_TABLE,
        values={
            "id": ids,
            "case_ref": pick(register.case_refs),
            "category": pick(register.categories),
            "age_band": pick(register.age_bands),
            "gender": pick(register.genders),
            "ethnicity": pick(register.ethnicities),
            "referral_date": pick(register.referral_dates),
        },
        same={"active": True, "last_batch_id": batch_id, "updated_at": now},
    )
    return ids


def import_register_rows(
    *,
    session: Session,
    register: Register,
    agency_ids: dict[str, int],
    cipher: IdentityCipher,
    source_name: str,
    actor: str,
    now: datetime,
    progress: Progress = no_progress,
) -> CaseImportSummary:
    """Upsert a full register extract by case_ref; cases missing from it become inactive."""
    total = len(register)
    progress("checked rows", total, total)
    batch = ImportBatch(
        kind=ImportKind.cases,
        source_name=source_name,
        sha256=register.sha256,
        rows=total,
        actor=actor,
        imported_at=now,
    )
    session.add(batch)
    session.flush()
    assert batch.id is not None
    cases, flags, agencies, identities = _load_state(session)
    refs = register.case_refs
    new = [i for i, ref in enumerate(refs) if ref not in cases] if cases else list(range(total))
    existing = [i for i, ref in enumerate(refs) if ref in cases] if cases else []
    created = _insert_cases(session, register, new, batch.id, now)
    progress("writing cases", len(new), total)
    if len(new) == total:
        ids = created
    else:
        ids = [cases[ref][0] if ref in cases else 0 for ref in refs]
        for i, case_id in zip(new, created, strict=True):
            ids[i] = case_id
    ids_of = {codes: {agency_ids[c] for c in codes} for codes in set(register.agencies)}
    changed: list[int] = []
    updates: list[dict[str, Any]] = []
    for i in existing:
        case_id, old = cases[refs[i]]
        clear = (
            register.categories[i],
            register.age_bands[i],
            register.genders[i],
            register.ethnicities[i],
            register.referral_dates[i],
            True,
        )
        links_changed = (
            flags.get(case_id, set()) != set(register.flags[i])
            or agencies.get(case_id, set()) != ids_of[register.agencies[i]]
        )
        if links_changed:
            changed.append(i)
        if old != clear or links_changed:
            updates.append(
                {
                    "id": case_id,
                    **dict(zip(CLEAR_FIELDS, clear, strict=True)),
                    "last_batch_id": batch.id,
                    "updated_at": now,
                }
            )
    for update_chunk in _chunks(updates):
        session.execute(update(Case), update_chunk)
    progress("writing cases", total, total)
    _replace_links(
        session=session,
        register=register,
        ids=ids,
        linked=new + changed,
        rewritten=[ids[i] for i in changed],
        ids_of=ids_of,
    )
    _write_identities(
        session=session,
        register=register,
        ids=ids,
        identities=identities,
        cipher=cipher,
        now=now,
        progress=progress,
    )
    listed = set(refs)
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
    register: Register,
    ids: list[int],
    linked: list[int],
    rewritten: list[int],
    ids_of: dict[tuple[str, ...], set[int]],
) -> None:
    for chunk in _chunks(rewritten):
        session.execute(delete(CaseFlag).where(col(CaseFlag.case_id).in_(chunk)))
        session.execute(delete(CaseAgency).where(col(CaseAgency.case_id).in_(chunk)))
    if len(linked) == len(register):  # every row (a first import): no lookups by index
        case_ids, flags, agencies = ids, register.flags, register.agencies
    else:
        case_ids = [ids[i] for i in linked]
        flags = [register.flags[i] for i in linked]
        agencies = [register.agencies[i] for i in linked]
    agency_ids = map(ids_of.__getitem__, agencies)
    flag_rows = [(c, f) for c, fs in zip(case_ids, flags, strict=True) for f in fs]
    agency_rows = [(c, a) for c, s in zip(case_ids, agency_ids, strict=True) for a in s]
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
    register: Register,
    ids: list[int],
    identities: set[int],
    cipher: IdentityCipher,
    now: datetime,
    progress: Progress,
) -> None:
    pending = [i for i, plaintext in enumerate(register.identities) if plaintext is not None]
    blobs = cipher.encrypt_many(
        [register.identities[i] or b"" for i in pending],
        contexts=[register.case_refs[i] for i in pending],
    )
    progress("encrypting identities", len(pending), len(pending))
    case_ids = [ids[i] for i in pending]
    key_id = cipher.current_key_id
    held = [n for n, case_id in enumerate(case_ids) if case_id in identities] if identities else []
    if held:
        rewrite = set(held)
        updates = [
            {"case_id": case_ids[n], "key_id": key_id, "ciphertext": blobs[n], "updated_at": now}
            for n in held
        ]
        for values_chunk in _chunks(updates):
            session.execute(update(CaseIdentity), values_chunk)
        kept = [n for n in range(len(case_ids)) if n not in rewrite]
        case_ids, blobs = [case_ids[n] for n in kept], [blobs[n] for n in kept]
    bulk_insert_columns(
        session=session,
        table=CaseIdentity.__table__,  # type: ignore[attr-defined]
        values={"case_id": case_ids, "ciphertext": blobs},
        same={"key_id": key_id, "updated_at": now},
    )


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
