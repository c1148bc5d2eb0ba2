"""The staff these tests log in as: an owner (olivia@) and an employee (emma@), as actors."""
import pytest

from practice.db import write_session
from tests.factories import actor_of, make_member


@pytest.fixture
def people(fresh_db):
    with write_session() as s:
        owner = make_member(s, role="owner", email="olivia@example.com")
        emma = make_member(s, role="employee", email="emma@example.com")
        return {"owner": actor_of(owner), "emma": actor_of(emma)}
