"""A series read for an analyst: the tables of ``notebooks/analysis.ipynb``, one method each.

The notebook stays one line a cell; what it shows is computed here, from :func:`frames`
(one read of the series) and the rules' own reads (measures, assets, the synthesis), so
the notebook, the pack and the synthesis agree.

>>> from facilitation.analysis import SeriesAnalysis
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from facilitation.frames import evidence_shares, frames, inclusion, participation, tie_growth
from facilitation.store import Store, open_store

if TYPE_CHECKING:
    import pandas as pd

    from facilitation.synthesis import Synthesis

__all__ = ["SeriesAnalysis"]


@dataclass
class SeriesAnalysis:
    """The analysis of one series' events (oldest first), read once into frames."""

    store: Store
    series_id: int
    events: list[int]
    f: dict[str, pd.DataFrame] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.f = frames(self.store, series_id=self.series_id)

    @classmethod
    def demo(cls, directory: str | None = None) -> SeriesAnalysis:
        """The three-meeting community-of-practice demo (``facilitate demo --series``) in a new SQLite file."""
        from facilitation.demo import build_series_demo
        from facilitation.events import get_event

        folder = directory or tempfile.mkdtemp(prefix="analysis-")
        store = open_store(os.path.join(folder, "demo.db"))
        events = [keys.event_id for keys in build_series_demo(store)]
        return cls(store, get_event(store, events[0]).series_id, events)

    def close(self) -> None:
        self.store.close()

    def rows(self) -> dict[str, int]:
        """Rows in each frame."""
        return {kind: len(frame) for kind, frame in self.f.items()}

    def participation(self) -> pd.DataFrame:
        return participation(self.f["people"])

    def inclusion(self, by: str = "sector") -> pd.DataFrame:
        """Inclusion for each event (groups under five people merged into "other")."""
        import pandas as pd

        return pd.concat({ev: inclusion(self.store, ev, by) for ev in self.events}, names=["event", "row"])

    def dots_by_theme(self) -> pd.DataFrame:
        """Dots on each top-level theme per event, most at the latest meeting first."""
        themes = self.f["themes"]
        top = themes[themes["merged_into"].isna()]
        table = top.pivot_table(index="name", columns="event", values="dots", aggfunc="sum", fill_value=0)
        return table.sort_values(self.events[-1], ascending=False)

    def theme_makeup(self) -> pd.DataFrame:
        """Entries of each kind under each theme, over the series."""
        return self.f["entries"].pivot_table(
            index="theme", columns="kind", values="id", aggfunc="count", fill_value=0
        )

    def tie_growth(self) -> pd.DataFrame:
        return tie_growth(self.f["ties"])

    def network_growth(self) -> pd.DataFrame:
        """The network module's own figures (sitting together, co-authoring and voting are ties too)."""
        import pandas as pd

        from facilitation.network.figures import series_figures

        return pd.DataFrame(series_figures(self.store, self.series_id).growth_rows())

    def actions_by_status(self) -> pd.DataFrame:
        return self.f["actions"].groupby(["event", "status"]).size().unstack(fill_value=0)

    def evidence_by_meeting(self) -> pd.DataFrame:
        """The share of each meeting's entries resting on each evidence level."""
        import pandas as pd

        entries = self.f["entries"]
        return pd.concat(
            {
                ev: evidence_shares(entries[entries["event"] == ev]).set_index("level")["share"]
                for ev in self.events
            },
            axis=1,
        )

    def sources(self, top: int = 12) -> pd.Series:
        """Entries per evidence level and named source (the most common first)."""
        cited = self.f["entries"].dropna(subset=["source"])
        return (
            cited.groupby(["evidence", "source"])
            .size()
            .rename("entries")
            .sort_values(ascending=False)
            .head(top)
        )

    def assets(self) -> pd.DataFrame:
        """What already works, found at the series' meetings."""
        import pandas as pd

        from facilitation.capture import series_assets

        columns = ["starts_on", "table", "text", "evidence", "source"]
        return pd.DataFrame(series_assets(self.store, self.series_id), columns=columns)

    def measures(self) -> pd.DataFrame:
        """The key question and success measures, a column each, by meeting date."""
        import pandas as pd

        from facilitation.series.measures import series_measures

        found = series_measures(self.store, self.series_id)
        return pd.DataFrame({name: {p.starts_on: p.value for p in points} for name, points in found.items()})

    @cached_property
    def synthesis(self) -> Synthesis:
        from facilitation.synthesis import gather_synthesis

        return gather_synthesis(self.store, self.series_id)

    def recurring_themes(self) -> pd.DataFrame:
        """Themes that came back at several meetings (the synthesis' suggestion engine across events)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {"theme": r.name, "meetings": len(r.meetings), "shared words": ", ".join(r.shared_words)}
                for r in self.synthesis.recurring
            ],
            columns=["theme", "meetings", "shared words"],
        )

    def group_actions(self) -> pd.DataFrame:
        """Actions done, open, overdue and dropped, by group across the series."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "group": g.group,
                    "done": len(g.done),
                    "open": len(g.open),
                    "overdue": len(g.overdue),
                    "dropped": len(g.dropped),
                }
                for g in self.synthesis.actions
            ],
            columns=["group", "done", "open", "overdue", "dropped"],
        )
