"""Synthetic case registers for the demo, tests and benchmarks: seeded, plausible, fictional."""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

FIRST_NAMES = (
    "Amelia",
    "Noah",
    "Olivia",
    "Muhammad",
    "Isla",
    "Leo",
    "Ava",
    "Oscar",
    "Mia",
    "Arthur",
    "Zara",
    "Kai",
    "Maya",
    "Jayden",
    "Ellie",
    "Reuben",
    "Chloe",
    "Theo",
)
SURNAMES = (
    "Smith",
    "Jones",
    "Patel",
    "Williams",
    "Brown",
    "Taylor",
    "Khan",
    "Davies",
    "Evans",
    "Wilson",
    "Okafor",
    "Nowak",
    "Thomas",
    "Roberts",
    "Ali",
    "Walker",
    "Hughes",
    "Green",
)
CATEGORIES = (("EH", 0.35), ("CIN", 0.35), ("CP", 0.2), ("LAC", 0.1))
GENDERS = (("female", 0.49), ("male", 0.49), ("other", 0.02))
ETHNICITIES = (
    ("White British", 0.55),
    ("Black African", 0.1),
    ("Black Caribbean", 0.06),
    ("Asian Pakistani", 0.08),
    ("Asian Indian", 0.05),
    ("Mixed", 0.08),
    ("Any other", 0.08),
)
FLAGS = (
    ("domestic_abuse", 0.45),
    ("neglect", 0.3),
    ("s47", 0.25),
    ("parental_mental_health", 0.2),
    ("substance_misuse", 0.15),
    ("exploitation", 0.08),
    ("missing", 0.05),
)
HEADER = (
    "case_ref",
    "category",
    "flags",
    "date_of_birth",
    "gender",
    "ethnicity",
    "referral_date",
    "agencies",
    "child_name",
    "nhs_number",
    "ref_police",
)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def synthetic_nhs_number(rng: random.Random) -> str:
    """A ten-digit number with a valid check digit, in the 999 range kept for tests."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def synthetic_rows(
    *, count: int, seed: int, agencies: Sequence[str], today: date, prefix: str = "NB"
) -> list[dict[str, str]]:
    """`count` fictional cases: categories, flags, ages and agencies in plausible proportions."""
    rng = random.Random(seed)
    rows = []
    for number in range(1, count + 1):
        born = today - timedelta(days=rng.randrange(30, 17 * 365))
        referred = today - timedelta(days=rng.randrange(1, 540))
        flags = [flag for flag, share in FLAGS if rng.random() < share]
        involved = (
            sorted({"csc", *rng.sample(list(agencies), k=min(len(agencies), 3))} & set(agencies))
            if agencies
            else []
        )
        rows.append(
            {
                "case_ref": f"{prefix}-{number:06d}",
                "category": _pick(rng, CATEGORIES),
                "flags": ";".join(flags),
                "date_of_birth": born.isoformat(),
                "gender": _pick(rng, GENDERS),
                "ethnicity": _pick(rng, ETHNICITIES),
                "referral_date": referred.isoformat(),
                "agencies": ";".join(involved),
                "child_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                "nhs_number": synthetic_nhs_number(rng),
                "ref_police": f"PN{rng.randrange(10**7):07d}" if "police" in involved else "",
            }
        )
    return rows


def write_register_csv(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    """Write rows as a register CSV with the standard header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path
