"""The organiser's page in real Chromium against a real ``facilitate serve``:
import people from a CSV, seat them, export and download."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from facilitation.access import ORGANISER
from facilitation.people.rules import list_people, remove_from_event, seat_person
from facilitation.people.seating import mixing_score

from .conftest import DATA, Pages, Served, screenshot

pytestmark = pytest.mark.browser


def _tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name=name).click()


@pytest.fixture
def seating_put_back(served: Served) -> Iterator[None]:
    """The browser tests share one event: put its people back where they sat, in any test order."""
    ev = served.keys.event_id
    seats = {p.id: p.table for p in list_people(served.store, ev)}
    yield
    for person in list_people(served.store, ev):
        if person.id not in seats:
            remove_from_event(served.store, ORGANISER, ev, person.id)
        elif person.table != seats[person.id]:
            seat_person(served.store, ORGANISER, ev, person.id, seats[person.id])


@pytest.mark.usefixtures("seating_put_back")
def test_import_seat_and_export(served: Served, pages: Pages) -> None:
    page = pages.open(served.links["organiser"], width=1366, height=900, ready=".fac-organiser")
    expect(page.locator(".fac-org-header")).to_contain_text("Frailty in the community")
    before = len(list_people(served.store, served.keys.event_id))

    # import: a preview first, then the import
    _tab(page, "People")
    # ipywidgets' FileUpload keeps its <input type=file> out of the page: use the chooser
    with page.expect_file_chooser() as chooser:
        page.locator(".fac-org-upload").click()
    chooser.value.set_files(str(DATA / "attendees.csv"))
    expect(page.locator(".fac-org-preview")).to_contain_text("60 people", timeout=20_000)
    page.locator(".fac-org-import").click()
    expect(page.locator(".fac-org-message")).to_contain_text("imported", timeout=20_000)
    people = list_people(served.store, served.keys.event_id)
    assert len(people) == before + 60

    # seat them: a seeded plan, applied in one write
    _tab(page, "Seating")
    page.locator(".fac-org-plan").click()
    expect(page.locator(".fac-org-plan-view")).to_contain_text("cross organisations", timeout=20_000)
    page.locator(".fac-org-apply").click()
    expect(page.locator(".fac-org-message")).to_contain_text("Seated", timeout=20_000)
    seated = list_people(served.store, served.keys.event_id)
    assert all(p.table is not None for p in seated)
    assert mixing_score(seated).organisations > 0.8
    screenshot(page, "organiser-seating-1366x900")

    # export: a download button per format; the workbook downloads and opens
    _tab(page, "Exports")
    page.locator(".fac-export-xlsx").click()
    link = page.locator(".fac-org-downloads a.fac-download").first
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    header = [c.value for c in workbook["people"][1]]
    names = {row[header.index("name")] for row in workbook["people"].iter_rows(min_row=2, values_only=True)}
    assert {p.name for p in people} <= {str(n).lstrip("'") for n in names}

    page.locator(".fac-export-csv").click()
    expect(page.locator(".fac-org-downloads a.fac-download")).to_have_count(2, timeout=30_000)
    with page.expect_download() as info:
        page.locator(".fac-org-downloads a.fac-download").nth(1).click()
    with zipfile.ZipFile(info.value.path()) as zf:
        assert "people.csv" in zf.namelist()
    screenshot(page, "organiser-exports-1366x900")
    assert not pages.dialogs
