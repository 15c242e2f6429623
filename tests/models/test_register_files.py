from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.register.files import read_records

CSV_PIECES = st.sampled_from(["a", "B", ",", "\n", "\r\n", " ", "\t", "é", ";", "", "  ,"])


def csv_module_records(text: str) -> tuple[list[str] | None, list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows, starts, end = next(reader, None), [], [], reader.line_num
    for record in reader:
        if "".join(record).strip():
            rows.append(record)
            starts.append(end + 1)
        end = reader.line_num
    return header, rows, starts


@given(st.lists(CSV_PIECES, max_size=40).map("".join))
def test_a_register_without_quotes_is_read_exactly_as_the_csv_module_reads_it(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    path.write_bytes(text.encode())
    records = read_records(path, source="r.csv")
    assert (records.header, records.rows, records.starts) == csv_module_records(text)
    assert records.ends == records.starts
