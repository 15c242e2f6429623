"""Reading a case register file (CSV or XLSX) into validated columns; every bad row is reported.

Problems name the line, the column and the rule broken, never a cell's value: a quote without
its closing quote can make one cell hold the rest of the file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flows.register.columns import check_columns
from flows.register.files import read_records
from flows.register.rows import Register, Vocabulary, check_header, column_letter
from models.errors import ImportFileError, Problem


def read_register(
    path: Path, *, vocab: Vocabulary, today: date, max_mb: int | None = None
) -> Register:
    """Every row of the register, or ImportFileError with the first problems (line N, column)
    and how many more there are."""
    source = str(path)
    records = read_records(path, source=source, max_mb=max_mb)
    if records.header is None:
        raise ImportFileError(source, [Problem("file", "is empty: expected a header row")])
    columns, problems = check_header(records.header, vocab)
    problems += [
        Problem(f"line {line}, column {column_letter(index)}", message)
        for line, index, message in records.cell_problems
    ]
    if problems:
        raise ImportFileError(source, problems, omitted=records.cell_problems_omitted)
    register = check_columns(columns, records, vocab=vocab, today=today, source=source)
    register.sha256 = records.sha256
    return register
