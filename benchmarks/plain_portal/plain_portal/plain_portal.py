"""A plain Reflex app shaped like the portal (a login that sets a cookie, four pages each loading a few lines on
open) with no database: the baseline bench_portal_load.py measures beside the real portal in the same run."""
import reflex as rx

PAGES = {"/portal": "Home", "/portal/tasks": "Tasks", "/portal/documents": "Documents", "/portal/profile": "Profile"}


class PlainState(rx.State):
    portal_sid: str = rx.Cookie("", name="portal_sid", same_site="strict")
    contact_name: str = ""
    lines: list[str] = []
    views: int = 0

    def log_in(self, form: dict):
        self.portal_sid = "sid-" + str(form.get("email", ""))
        return rx.redirect("/portal")

    def load(self):
        if not self.portal_sid:
            return rx.redirect("/portal/login")
        self.views += 1
        self.contact_name = self.portal_sid.removeprefix("sid-")
        self.lines = [f"{PAGES.get(self.router.url.path, 'Page')} line {i}" for i in range(3)]


def page() -> rx.Component:
    return rx.vstack(rx.text(PlainState.contact_name), rx.foreach(PlainState.lines, rx.text),
                     *[rx.link(name, href=path) for path, name in PAGES.items()])


def login() -> rx.Component:
    return rx.form(rx.input(name="email"), rx.input(name="password", type="password"), rx.button("Log in"),
                   on_submit=PlainState.log_in)


app = rx.App()
app.add_page(login, route="/portal/login")
for path, name in PAGES.items():
    app.add_page(page, route=path, title=name, on_load=PlainState.load)
