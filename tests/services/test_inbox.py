import pytest

from practice.db import write_session
from practice.services import inbox
from practice.services.errors import PermissionDenied
from tests.factories import actor_of, make_member


def test_notifications_count_read_archive_and_preferences(fresh_db):
    with write_session() as s:
        ann = actor_of(make_member(s, role="admin"))
        bob = actor_of(make_member(s))
        first = inbox.notify(s, member_id=ann.member_id, text="Organizer sent to Hartley", key="n1")
        assert inbox.notify(s, member_id=ann.member_id, text="dup", key="n1").id == first.id
        inbox.notify(s, member_id=ann.member_id, text="Second")
        assert inbox.fingerprint(s, ann.member_id)[0] == 2
        inbox.mark_read(s, ann, first.id)
        assert inbox.fingerprint(s, ann.member_id)[0] == 1
        with pytest.raises(PermissionDenied):
            inbox.mark_read(s, bob, first.id)
        inbox.archive(s, ann, first.id)
        assert [n.text for n in inbox.list_notifications(s, ann)] == ["Second"]
        inbox.set_preference(s, ann, "notify", False)
        assert inbox.notify(s, member_id=ann.member_id, text="muted") is None
        assert inbox.preferences(s, ann)["notify"] is False
