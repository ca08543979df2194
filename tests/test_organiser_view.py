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


def test_review_and_measure_controls_go_through_the_rules(tmp_path: Path, db_url: str) -> None:
    """The series tab reviews an earlier meeting's open action and records a measure; bad input
    is one line and keeps what was typed; the rules check the role (a table's view is refused)."""
    from facilitation.plans import list_groups, open_actions_from_earlier_events
    from facilitation.series import action_reviews
    from facilitation.series.measures import measure_values

    store = open_store(db_url)
    try:
        sid = create_series(store, ORGANISER, "Community of practice")
        first = planned_event(store, series_id=sid, starts_on="2026-09-01", title="September")
        second = planned_event(store, series_id=sid, starts_on="2026-10-06", title="October").event_id
        from facilitation.access import FACILITATOR
        from facilitation.capture import add_entry
        from facilitation.events import set_phase

        set_phase(store, FACILITATOR, first.event_id, "ideas")
        add_entry(store, FACILITATOR, first.event_id, 2, "asset", "Carers' <i>cafe</i>", source="Forum chair")
        view = _view(store, second, tmp_path)
        assert "Assets found across the series" in view.series.value
        assert (
            "Carers&#x27; &lt;i&gt;cafe&lt;/i&gt;" in view.series.value and "Forum chair" in view.series.value
        )
        opened = open_actions_from_earlier_events(store, second)
        assert [v for _, v in view.review_action.options] == [o.action.id for o in opened] and opened
        assert view.review_box.layout.display == ""
        assert view.review_action.value == opened[0].action.id and view.measure_name.value == "key question"
        target = opened[0].action.id

        view.review_action.value = target
        view.review_outcome.value = "moved"
        view.review_note.value = "Waiting for <b>IG</b> sign-off"
        view.review_button.click()  # moved, but no new date: one line, nothing written, note kept
        assert "fac-error" in view.message.value and "needs its new due date" in view.message.value
        assert view.review_note.value == "Waiting for <b>IG</b> sign-off"
        assert action_reviews(store, [target]) == {target: []}
        view.review_moved_to.value = "2026-11-03"
        view.review_button.click()
        (review,) = action_reviews(store, [target])[target]
        assert (review.outcome, review.moved_to, review.note) == (
            "moved",
            "2026-11-03",
            "Waiting for <b>IG</b> sign-off",
        )
        assert review.meeting_event_id == second and review.reviewed_by == "organiser"
        assert "<b>IG" not in view.message.value and view.review_note.value == ""

        done = opened[1].action.id
        view.review_action.value = done
        view.review_outcome.value = "done"
        view.review_button.click()
        assert done not in [v for _, v in view.review_action.options]  # reviewed done: off the list
        assert [a.status for g in list_groups(store, first.event_id) for a in g.actions if a.id == done] == [
            "done"
        ]

        assert [v for _, v in view.measure_name.options] == ["key question", "Falls down 10%"]
        view.measure_name.value = "Falls down 10%"
        view.measure_value.value = "lots"
        view.measure_note.value = "From the dashboard"
        view.measure_button.click()
        assert (
            "&#x27;lots&#x27; is not a number" in view.message.value and view.message.value.count("<p") == 1
        )
        assert view.measure_value.value == "lots" and measure_values(store, second) == []
        view.measure_value.value = "12.5"
        view.measure_button.click()
        (value,) = measure_values(store, second)
        assert (value.name, value.value, value.note) == ("Falls down 10%", 12.5, "From the dashboard")
        assert "12.5" in view.measures_view.value and view.measure_value.value == ""

        # the rules check the role, not the page: the same handlers acting as a table are refused
        import dataclasses

        table_view = view
        table_view.ctx = dataclasses.replace(view.ctx, actor=table_actor(1))
        table_view.measure_name.value = "key question"
        table_view.measure_value.value = "3"
        table_view.measure_button.click()
        assert "cannot" in table_view.message.value and len(measure_values(store, second)) == 1
        table_view.review_action.value = opened[2].action.id
        table_view.review_outcome.value = "dropped"
        table_view.review_button.click()
        assert (
            "cannot" in table_view.message.value
            and not action_reviews(store, [opened[2].action.id])[opened[2].action.id]
        )
    finally:
        store.close()
