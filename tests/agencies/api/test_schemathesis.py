"""Schemathesis generates requests from /api/v1/openapi.json; none may cause a server error."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.agencies.api.conftest import Api, json_answers

EXAMPLES_PER_OPERATION = 25


def test_generated_requests_never_cause_a_server_error(api: Api) -> None:
    app = api.portal.client.app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    own = api.portal.assignments("police")
    headers = {"Authorization": f"Bearer {api.keys['police']}"}
    api.call("PUT", f"/assignments/{own[1]}/answers", json={"answers": json_answers(api, "police")})
    seen: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), real=st.sampled_from([None, *own]))
        def check(case: schemathesis.Case, real: int | None) -> None:
            if real is not None and "assignment_id" in (case.path_parameters or {}):
                case.path_parameters = {"assignment_id": real}
            response = case.call(headers=headers)
            seen[response.status_code] += 1
            case.validate_response(response, checks=[not_a_server_error])

        check()
    assert {200, 404, 422} <= set(seen), seen  # real reads and changes, not only refusals
