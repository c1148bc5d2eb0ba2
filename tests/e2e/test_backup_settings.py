"""The owner sets the daily backup in Settings and writes one at once; an admin does not see the section."""
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import write_session
from practice.models import BackupSettings
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def backup_folder(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    yield folder
    with write_session() as s:  # other journeys start with no backup scheduled
        for row in s.exec(select(BackupSettings)):
            s.delete(row)


def test_the_owner_schedules_a_daily_backup_and_backs_up_now(page, base_url, backup_folder):
    log_in(page, base_url)
    page.goto(base_url + "/settings")
    section = page.locator("#backup-settings")
    expect(section.get_by_text("Backups", exact=True)).to_be_visible()
    page.fill("#backup-folder", "backups")
    page.click("#save-backup")
    expect(section.get_by_text("Give the backup folder as a full path on the server")).to_be_visible()
    page.check("#backup-enabled")
    page.fill("#backup-folder", str(backup_folder))
    page.fill("#backup-keep", "2")
    page.click("#save-backup")
    expect(page.get_by_text("Backup settings saved.")).to_be_visible()
    page.click("#back-up-now")
    expect(page.get_by_text("Backup written and checked.")).to_be_visible(timeout=60_000)
    expect(page.locator("#backup-last")).to_contain_text("practice-backup-")
    assert len(list(backup_folder.glob("practice-backup-*.tar"))) == 1
    page.reload()
    expect(page.locator("#backup-folder")).to_have_value(str(backup_folder))


def test_an_admin_does_not_see_the_backups(page, base_url):
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    page.goto(base_url + "/settings")
    expect(page.locator("#firm-settings")).to_be_visible()
    expect(page.locator("#backup-settings")).to_have_count(0)
