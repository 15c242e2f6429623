from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from models.api_key import ApiKey, find_api_key, hash_secret
from models.db import session_scope
from tests.cli import Run

KEY = re.compile(r"^(ja_[A-Za-z0-9_-]{43})$", re.MULTILINE)


@pytest.mark.usefixtures("partnership")
def test_issue_prints_the_key_once_and_stores_only_its_hash(run: Run) -> None:
    code, out, _ = run("apikey", "issue", "--agency", "police", "--name", "Niche RMS")
    assert code == 0 and "API key 1 issued to police (Niche RMS)" in out
    assert "shown only once" in out
    [secret] = KEY.findall(out)
    with session_scope() as session:
        [key] = session.exec(select(ApiKey)).all()
        assert key.secret_hash == hash_secret(secret)
        assert find_api_key(session=session, secret=secret) == key
    code, out, _ = run("apikey", "list")
    assert code == 0 and "Niche RMS" in out and secret not in out and key.prefix in out


@pytest.mark.usefixtures("partnership")
def test_list_as_json_then_revoke_shows_the_key_revoked(run: Run) -> None:
    run("apikey", "issue", "--agency", "csc", "--name", "LCS")
    code, out, _ = run("apikey", "list", "--json")
    [listed] = json.loads(out)
    assert code == 0 and listed["agency"] == "csc" and listed["active"] is True
    assert set(listed) >= {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at"}
    assert "secret_hash" not in listed
    code, out, _ = run("apikey", "revoke", str(listed["id"]))
    assert code == 0 and f"API key {listed['id']}" in out and "revoked" in out
    [listed] = json.loads(run("apikey", "list", "--json")[1])
    assert listed["active"] is False and listed["revoked_at"] is not None
    assert json.loads(run("apikey", "list", "--json", "--active")[1]) == []


@pytest.mark.usefixtures("partnership")
def test_clear_errors_for_an_unknown_agency_an_unknown_key_and_a_second_revocation(
    run: Run,
) -> None:
    code, _, err = run("apikey", "issue", "--agency", "fire", "--name", "x")
    assert code != 0 and "no agency with code 'fire'" in err
    code, _, err = run("apikey", "revoke", "42")
    assert code != 0 and "no API key with id 42" in err
    run("apikey", "issue", "--agency", "police", "--name", "x")
    assert run("apikey", "revoke", "1")[0] == 0
    code, _, err = run("apikey", "revoke", "1")
    assert code != 0 and "already revoked" in err


@pytest.mark.usefixtures("partnership")
def test_a_coordinators_key_is_issued_as_json_listed_and_revoked(run: Run) -> None:
    code, out, _ = run(
        "apikey",
        "issue",
        "--coordinator",
        "casey@testshire.example.org",
        "--name",
        "scripts",
        "--json",
    )
    issued = json.loads(out)
    assert code == 0 and issued["kind"] == "coordinator" and issued["agency"] is None
    assert issued["coordinator"] == "casey@testshire.example.org"
    assert KEY.fullmatch(issued["key"]) and issued["prefix"] == issued["key"][:11]
    with session_scope() as session:
        [key] = session.exec(select(ApiKey)).all()
        assert key.secret_hash == hash_secret(issued["key"]) and key.id == issued["id"]
    code, out, _ = run("apikey", "list", "--coordinators", "--json")
    [listed] = json.loads(out)
    assert listed["kind"] == "coordinator" and listed["coordinator"] == issued["coordinator"]
    assert issued["key"] not in out
    code, out, _ = run("apikey", "list")
    assert "coordinator" in out and "casey@" in out and issued["key"] not in out
    assert run("apikey", "revoke", str(issued["id"]))[0] == 0
    assert json.loads(run("apikey", "list", "--json", "--active")[1]) == []


@pytest.mark.usefixtures("partnership")
def test_an_agency_key_issued_as_json_carries_its_secret_once(run: Run) -> None:
    code, out, _ = run("apikey", "issue", "--agency", "police", "--name", "RMS", "--json")
    issued = json.loads(out)
    assert code == 0 and issued["kind"] == "agency" and issued["agency"] == "police"
    assert issued["coordinator"] is None and KEY.fullmatch(issued["key"])


@pytest.mark.usefixtures("partnership")
def test_issue_needs_exactly_one_holder_and_a_current_coordinator(run: Run) -> None:
    code, _, err = run("apikey", "issue", "--name", "x")
    assert code != 0 and "either --agency CODE or --coordinator EMAIL" in err
    code, _, err = run(
        "apikey",
        "issue",
        "--agency",
        "police",
        "--coordinator",
        "casey@testshire.example.org",
        "--name",
        "x",
    )
    assert code != 0 and "either --agency CODE or --coordinator EMAIL" in err
    code, _, err = run("apikey", "issue", "--coordinator", "lead@police.example.org", "--name", "x")
    assert code != 0 and "no coordinator with the address 'lead@police.example.org'" in err
    assert json.loads(run("apikey", "list", "--json")[1]) == []
