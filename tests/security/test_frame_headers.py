"""No other site may show the app in a frame: every answer, page or download, in production and in development,
carries `Content-Security-Policy: frame-ancestors 'self'` and `X-Frame-Options: SAMEORIGIN`.

The browser test (tests/e2e/test_session_cookies.py) checks the running app's pages and backend; these check the
two places the headers come from, the backend's wrapper and the development server's config."""
from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

import practice.practice
from practice import routes
from practice.dev_proxy import add_backend_proxy
from tests.test_dev_proxy import _reflex_vite_config

pytestmark = pytest.mark.security


def framed_by_self_only(answer) -> bool:
    return ("frame-ancestors 'self'" in answer.headers.get("content-security-policy", "")
            and answer.headers.get("x-frame-options") == "SAMEORIGIN")


@pytest.fixture
def served(tmp_path, fresh_db):
    """The backend as production runs it: Reflex's own routes and the built pages, behind the app's wrapper."""
    (tmp_path / "index.html").write_text("<html><body>practice</body></html>")
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text("<html><body>log in</body></html>")
    reflex_backend = Starlette(routes=[Route("/ping", lambda request: PlainTextResponse("pong")),
                                       Mount("", StaticFiles(directory=tmp_path, html=True))])
    transforms = practice.practice.app.api_transformer
    served_app = reflex_backend
    for transform in transforms if isinstance(transforms, (list, tuple)) else [transforms]:  # the first innermost
        served_app = transform(served_app)
    with TestClient(served_app) as client:
        yield client


def test_every_backend_answer_forbids_other_sites_to_frame_it(served):
    answers = {"page": served.get("/"), "login page": served.get("/login/"), "missing page": served.get("/nowhere"),
               "backend ping": served.get("/ping"), "download": served.get(routes.file_url(1)),
               "page image": served.get(routes.sign_page_url(1, 0)),
               "refused upload": served.post("/_upload", content=b"x")}
    assert answers["page"].status_code == 200 and answers["download"].status_code == 401
    assert {what: framed_by_self_only(a) for what, a in answers.items()} == {what: True for what in answers}


def test_a_download_keeps_its_own_policy_and_gains_the_frame_rule(served):
    policy = served.get(routes.file_url(1)).headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; sandbox") and "frame-ancestors 'self'" in policy


def test_the_development_server_sends_the_same_headers():
    config = add_backend_proxy(_reflex_vite_config())
    assert "  plugins: [\n    practiceFrameHeaders(),\n" in config
    assert '"Content-Security-Policy": "frame-ancestors \'self\'"' in config
    assert '"X-Frame-Options": "SAMEORIGIN"' in config
