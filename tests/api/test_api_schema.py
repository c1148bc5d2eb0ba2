"""schemathesis against /api/v1/openapi.json: generated calls to every endpoint, with a token that may write, get
no server error and no answer outside what the document describes (status, content type, body, headers)."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from starlette.applications import Starlette

from practice import api_routes
from tests.api.firm import auth, build

pytestmark = pytest.mark.firm(build=build)

APP = Starlette(routes=api_routes.API_ROUTES)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_generated_calls_meet_the_document(case, firm, monkeypatch):
    monkeypatch.setattr(api_routes.TOKEN_LIMIT, "limit", 10**6)
    case.call_and_validate(headers=auth(firm["tokens"]["owner_write"]), checks=CHECKS)
