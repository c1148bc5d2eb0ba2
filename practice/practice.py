"""The Reflex app: builds `app` and registers every page with its on_load, explicitly."""
import reflex as rx

from practice import routes
from practice.pages.accounts import accounts_page
from practice.pages.home import home_page
from practice.pages.login import login_page
from practice.state.accounts import AccountsState
from practice.state.base import AppState
from practice.state.home import HomeState
from practice.state.login import LoginState

app = rx.App(theme=rx.theme(accent_color="indigo", radius="medium"))

app.add_page(login_page, route=routes.LOGIN, title="Log in · practice", on_load=LoginState.redirect_if_logged_in)
app.add_page(home_page, route=routes.HOME, title="practice", on_load=[AppState.require_login, HomeState.load])
app.add_page(accounts_page, route=routes.ACCOUNTS, title="Accounts · practice",
             on_load=[AppState.require_login, AccountsState.load])
