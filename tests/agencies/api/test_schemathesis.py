"""Schemathesis generates requests from /api/v1/openapi.json; none may cause a server error."""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from sqlmodel import Session

from flows.reconcile.run import reconcile_round
from tests.agencies.api.conftest import Api, json_answers
from tests.builders import NOW

EXAMPLES_PER_OPERATION = 25


def _fuzz(operation: Any, *, key: str, name: str, reals: list[int], seen: Counter[int]) -> None:
    """Call one operation with generated requests (ids sometimes real ones) and this key."""
    headers = {"Authorization": f"Bearer {key}"}

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), real=st.sampled_from([None, *reals]))
    def check(case: schemathesis.Case, real: int | None) -> None:
        if real is not None and name in (case.path_parameters or {}):
            case.path_parameters = {name: real}
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])

    check()


def test_generated_requests_never_cause_a_server_error(api: Api) -> None:
    app = api.portal.client.app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    own = api.portal.assignments("police")
    api.call("PUT", f"/assignments/{own[1]}/answers", json={"answers": json_answers(api, "police")})
    seen: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    coordinator_paths = ("/rounds", "/register")
    agency_ops = [o for o in operations if not o.path.startswith(coordinator_paths)]
    for operation in agency_ops:
        _fuzz(operation, key=api.keys["police"], name="assignment_id", reals=own, seen=seen)
    assert {200, 404, 422} <= set(seen), seen  # real reads and changes, not only refusals

    with Session(api.portal.engine) as session:  # findings for the coordinator's reads
        reconcile_round(session=session, round_id=api.portal.round_id, now=NOW, actor="c")
        session.commit()
    seen.clear()
    for operation in (o for o in operations if o not in agency_ops):
        key = api.keys["coordinator"]
        _fuzz(operation, key=key, name="round_id", reals=[api.portal.round_id], seen=seen)
    assert {200, 404, 422} <= set(seen), seen  # the register refuses what it cannot read
