"""The organiser's page without a browser: buttons clicked, then the store read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_plans import planned_event
from testdata import DATA, hostile_strings

from facilitation.access import ORGANISER, table_actor
from facilitation.errors import NotAllowed
from facilitation.events.rules import create_event, get_event, list_events
from facilitation.people.rules import add_person, list_people
from facilitation.series.rules import create_series
from facilitation.store import Store, open_store
from facilitation.ui.organiser import OrganiserView, join_cards_html, organiser_page
from facilitation.ui.page import PageContext, PageParams


def _view(store: Store, event_id: int, tmp_path: Path, actor=ORGANISER) -> OrganiserView:  # type: ignore[no-untyped-def]
    ctx = PageContext(store, event_id, actor, PageParams(event=event_id))
    return OrganiserView(ctx, out_dir=tmp_path / "exports", base="http://127.0.0.1:8866")


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Store, int]:
    store = open_store(str(tmp_path / "o.db"))
    ev = create_event(
        store, ORGANISER, template="innovation-challenge-half-day", title="Frailty", tables=6
    ).event_id
    yield store, ev
    store.close()


def test_import_preview_then_import_then_seat(fresh: tuple[Store, int], tmp_path: Path) -> None:
    store, ev = fresh
    view = _view(store, ev, tmp_path)
    view.load_file((DATA / "attendees-messy.csv").read_bytes(), "attendees-messy.csv")
    assert "Bad rows" in view.preview.value and re.search(r"line \d+", view.preview.value)
    view.import_button.click()  # a bad row and no skip: nothing imported
    assert list_people(store, ev) == [] and "fac-error" in view.message.value
    view.skip_bad.value = True
    view.import_button.click()
    people = list_people(store, ev)
    assert len(people) > 5 and "imported" in view.message.value
    view.seed.value = 7
    view.plan_button.click()
    assert set(view.plan) == {p.id for p in people}
    first = dict(view.plan)
    view.plan_button.click()
    assert view.plan == first  # the same seed gives the same plan
    view.move_person.value = people[0].id
    view.move_table.value = 6
    view.move_button.click()
    view.apply_button.click()
    seated = {p.id: p.table for p in list_people(store, ev)}
    assert seated[people[0].id] == 6 and all(t is not None for t in seated.values())


def test_export_buttons_offer_downloads(tmp_path: Path, sqlite_path: str) -> None:
    store = open_store(sqlite_path)
    p = planned_event(store)
    view = _view(store, p.event_id, tmp_path)
    view.export_buttons["xlsx"].click()
    view.export_buttons["html"].click()
    assert view.downloads.value.count('class="fac-download"') == 2
    assert "data:text/html;base64," in view.downloads.value
    assert {x.suffix for x in (tmp_path / "exports").iterdir()} == {".xlsx", ".html"}
    view.cards_button.click()
    assert "join cards" in view.cards.value
    store.close()


def test_the_join_cards_tab_shows_the_projector_link(fresh: tuple[Store, int], tmp_path: Path) -> None:
    """The projector link (its read-only key) and the join page, on the page's own base."""
    import html

    from facilitation.access import FACILITATOR, VIEWER
    from facilitation.events.rules import event_keys
    from facilitation.serving.gate import PageQuery, check_page, event_projector_key

    store, ev = fresh
    key = event_projector_key(store, ORGANISER, ev)
    for actor in (ORGANISER, FACILITATOR):
        view = _view(store, ev, tmp_path, actor)
        hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', view.links.value)]
        assert hrefs == [
            f"http://127.0.0.1:8866/voila/render/projector.ipynb?event={ev}&key={key}",
            f"http://127.0.0.1:8866/voila/render/join.ipynb?event={ev}",
        ]
        assert view.links in view.tabs.children[2].children  # the "Join cards" tab
    keys = event_keys(store, ORGANISER, ev)
    assert keys.organiser not in view.links.value and keys.facilitator not in view.links.value
    assert check_page(store, "projector", PageQuery(ev, key)) is VIEWER


def test_join_cards_need_the_organiser(fresh: tuple[Store, int]) -> None:
    store, ev = fresh
    page = join_cards_html(store, ORGANISER, ev, "http://h:1")
    assert page.count('class="card"') == 6 and "data:image/svg+xml" in page
    assert "table=3" in page and get_event(store, ev).join_code in page
    with pytest.raises(NotAllowed):
        join_cards_html(store, table_actor(1), ev)


def test_new_event_in_the_series_and_series_view(tmp_path: Path, sqlite_path: str) -> None:
    store = open_store(sqlite_path)
    sid = create_series(store, ORGANISER, "Community of practice")
    p = planned_event(store, series_id=sid, starts_on="2026-09-01", title="September")
    view = _view(store, p.event_id, tmp_path)
    view.template.value = "community-of-practice-online-90"
    view.title.value = "October"
    view.starts_on.value = "2026-10-06"
    view.create_button.click()
    assert [e.title for e in list_events(store, sid)] == ["September", "October"]
    assert "fac-org-new-organiser" in view.created.value
    october = list_events(store, sid)[1].id
    nxt = _view(store, october, tmp_path)
    assert "Open actions from earlier events" in nxt.series.value
    assert "Map the data flows" in nxt.series.value
    store.close()


def test_inclusion_view_hides_small_groups(fresh: tuple[Store, int], tmp_path: Path) -> None:
    store, ev = fresh
    for i in range(6):
        add_person(
            store, ORGANISER, ev, f"Trust person {i}", organisation="Big Trust", demographics={"age": "65+"}
        )
    add_person(
        store, ORGANISER, ev, "Lonely Charity", organisation="Tiny Charity", demographics={"age": "18-24"}
    )
    view = _view(store, ev, tmp_path)
    assert "Tiny Charity" not in view.inclusion.value and "other" in view.inclusion.value
    view.inclusion_by.value = "age"
    assert "18-24" not in view.inclusion.value


def test_hostile_text_is_escaped_on_the_page(fresh: tuple[Store, int], tmp_path: Path) -> None:
    store, ev = fresh
    for h in hostile_strings()[:8]:
        add_person(store, ORGANISER, ev, h[:150], organisation=h[:150])
    view = _view(store, ev, tmp_path)
    for widget in (view.people, view.header, view.inclusion):
        assert "<script" not in widget.value and "<img" not in widget.value and "<svg" not in widget.value


def test_the_page_refuses_a_table_key(fresh: tuple[Store, int], tmp_path: Path) -> None:
    store, ev = fresh
    ctx = PageContext(store, ev, table_actor(1), PageParams(event=ev))
    with pytest.raises(Exception, match="organiser"):
        organiser_page(ctx)
