"""Finding cases in the register by their sampling attributes (never by identity)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlmodel import Session, col

from models.agency import Agency
from models.case import Case, CaseAgency, CaseFlag, CasePublic
from models.errors import InputError

FILTER_KEYS = ("category", "flag", "agency", "age_band", "gender", "ethnicity", "status")


@dataclass(frozen=True)
class CaseFilter:
    """Conditions on cases: values of one key are alternatives, different keys all apply."""

    categories: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    ethnicities: tuple[str, ...] = ()
    status: str = "active"


def parse_where(conditions: Sequence[str]) -> CaseFilter:
    """`["flag=domestic_abuse", "category=CP,CIN"]` -> CaseFilter, or a clear InputError."""
    values: dict[str, list[str]] = {}
    for condition in conditions:
        key, sep, text = condition.partition("=")
        key = key.strip().lower()
        if not sep or not text.strip():
            raise InputError(f"--where {condition!r}: expected KEY=VALUE[,VALUE...]")
        if key not in FILTER_KEYS:
            raise InputError(
                f"--where {condition!r}: unknown key {key!r}; use one of {', '.join(FILTER_KEYS)}"
            )
        values.setdefault(key, []).extend(v.strip() for v in text.split(",") if v.strip())
    status = values.pop("status", ["active"])
    if len(status) != 1 or status[0] not in ("active", "inactive", "all"):
        raise InputError("--where status=...: use active, inactive or all")
    return CaseFilter(
        categories=tuple(v.upper() for v in values.get("category", [])),
        flags=tuple(v.lower() for v in values.get("flag", [])),
        agencies=tuple(v.lower() for v in values.get("agency", [])),
        age_bands=tuple(values.get("age_band", [])),
        genders=tuple(values.get("gender", [])),
        ethnicities=tuple(values.get("ethnicity", [])),
        status=status[0],
    )


def _statement(where: CaseFilter) -> Any:
    query = select(Case)
    if where.status != "all":
        query = query.where(col(Case.active).is_(where.status == "active"))
    if where.categories:
        query = query.where(func.upper(col(Case.category)).in_(where.categories))
    for column, wanted in (
        (Case.age_band, where.age_bands),
        (Case.gender, where.genders),
        (Case.ethnicity, where.ethnicities),
    ):
        if wanted:
            query = query.where(col(column).in_(wanted))
    if where.flags:
        query = query.where(
            exists().where(
                col(CaseFlag.case_id) == col(Case.id), col(CaseFlag.flag).in_(where.flags)
            )
        )
    if where.agencies:
        query = query.where(
            exists().where(
                col(CaseAgency.case_id) == col(Case.id),
                col(CaseAgency.agency_id) == col(Agency.id),
                col(Agency.code).in_(where.agencies),
            )
        )
    return query


def count_cases(*, session: Session, where: CaseFilter) -> int:
    """How many cases match."""
    subquery = _statement(where).subquery()
    return int(session.execute(select(func.count()).select_from(subquery)).scalar_one())


def list_cases(
    *, session: Session, where: CaseFilter, limit: int | None = None
) -> list[CasePublic]:
    """Matching cases by case_ref, with their flags and agencies; no identifying details."""
    query = _statement(where).order_by(col(Case.case_ref))
    if limit is not None:
        query = query.limit(limit)
    cases = list(session.execute(query).scalars())
    ids = [c.id for c in cases]
    flags: dict[int, list[str]] = {}
    agencies: dict[int, list[str]] = {}
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        for case_id, flag in session.execute(
            select(col(CaseFlag.case_id), col(CaseFlag.flag))
            .where(col(CaseFlag.case_id).in_(chunk))
            .order_by(col(CaseFlag.flag))
        ):
            flags.setdefault(case_id, []).append(flag)
        for case_id, code in session.execute(
            select(col(CaseAgency.case_id), col(Agency.code))
            .join(Agency, col(Agency.id) == col(CaseAgency.agency_id))
            .where(col(CaseAgency.case_id).in_(chunk))
            .order_by(col(Agency.code))
        ):
            agencies.setdefault(case_id, []).append(code)
    return [
        CasePublic(
            **c.model_dump(include=set(CasePublic.model_fields) - {"flags", "agencies"}),
            flags=flags.get(c.id or 0, []),
            agencies=agencies.get(c.id or 0, []),
        )
        for c in cases
    ]
