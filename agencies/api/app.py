"""The agency API app, mounted by the portal at /api/v1 (its schema at /api/v1/openapi.json)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from agencies.api import coordinator_routes, register_routes, routes
from agencies.api.auth import reader
from agencies.api.convert import AnswerErrors
from agencies.body_limit import BodyLimit
from agencies.deps import ids_in_range
from models.db import NO_WAIT
from models.settings import Settings

PREFIX = "/api/v1"
DESCRIPTION = """For agency systems: list the agency's assignments, read one's questions, save
draft answers, submit, amend. Authenticate with the agency's API key, issued by the
coordinator: `Authorization: Bearer ja_...`. Answers are checked exactly as the portal's
forms check them; every read and change is in the partnership's audit log.

For coordinators' scripts (a coordinator's key, `jointaudit apikey issue --coordinator`): the
rounds with their progress, a round's findings, launching a round (with a dry run), and
importing the case register (CSV or XLSX; a large file is imported in the background)."""


def create_api(settings: Settings, *, engine: Engine, clock: Callable[[], datetime]) -> FastAPI:
    """The API app on this database; it holds no state between requests."""
    api = FastAPI(
        title="jointaudit agency API",
        version="1",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        redirect_slashes=False,  # Starlette's builds the address from the Host header
        dependencies=[Depends(ids_in_range)],
    )
    api.state.settings = settings
    # Its own body limit: API requests may reach it before the portal's middleware does.
    api.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        larger={f"{PREFIX}/register": settings.register_upload_bytes},
    )
    api.state.engine = engine
    api.state.key_reader = reader(engine)  # keys are read without waiting for a writer
    api.state.at_once = engine.execution_options(**{NO_WAIT: True})  # SQLite's work, on the loop
    api.state.clock = clock
    api.include_router(routes.router)
    api.include_router(coordinator_routes.router)
    api.include_router(register_routes.router)

    @api.exception_handler(AnswerErrors)
    async def _answer_errors(_request: Request, error: AnswerErrors) -> JSONResponse:
        detail = [
            {"loc": ["body", "answers", key], "msg": message, "type": "answer"}
            for key, message in error.errors.items()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    return api
