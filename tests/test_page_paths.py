"""A built page is served at the address asked for (`/portal`), not redirected to `/portal/` (practice/page_paths.py)."""
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from practice.page_paths import BuiltPagePaths


def _site(tmp_path, middleware: bool) -> TestClient:
    build = tmp_path / "client"
    (build / "portal" / "documents").mkdir(parents=True)
    (build / "portal" / "index.html").write_text("<html>portal home</html>")
    (build / "portal" / "documents" / "index.html").write_text("<html>portal documents</html>")
    (build / "assets").mkdir()
    (build / "assets" / "app.js").write_text("js")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "index.html").write_text("outside the build")

    def backend_route(request):
        return PlainTextResponse(f"backend {request.url.path}")

    app = Starlette(routes=[Route("/api/v1/jobs", backend_route),
                            Mount("", app=StaticFiles(directory=build, html=True))])
    return TestClient(BuiltPagePaths(app, folder=str(build)) if middleware else app, follow_redirects=False)


def test_without_it_the_static_server_redirects_a_page_to_its_folder(tmp_path):
    answer = _site(tmp_path, middleware=False).get("/portal")
    assert answer.status_code == 307 and answer.headers["location"].endswith("/portal/")


def test_a_page_is_served_at_the_address_asked_for(tmp_path):
    site = _site(tmp_path, middleware=True)
    for path, text in (("/portal", "portal home"), ("/portal/", "portal home"),
                       ("/portal/documents", "portal documents"), ("/portal/documents?folder=2", "portal documents")):
        answer = site.get(path)
        assert (answer.status_code, answer.text) == (200, f"<html>{text}</html>"), path
    assert site.head("/portal").status_code == 200


def test_files_routes_and_paths_outside_the_build_are_left_alone(tmp_path):
    site = _site(tmp_path, middleware=True)
    assert site.get("/assets/app.js").text == "js"
    assert site.get("/api/v1/jobs").text == "backend /api/v1/jobs"
    assert site.get("/nothing-here").status_code == 404
    assert site.post("/portal").status_code != 200  # only GET and HEAD are pages
    assert "outside the build" not in site.get("/../secret").text
