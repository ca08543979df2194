"""``pdf``: the outcome pack as a PDF, from the same HTML as ``html``, by WeasyPrint.

WeasyPrint is an optional extra (``pip install 'facilitation[pdf]'``; it needs Pango,
on Debian ``apt-get install libpango-1.0-0 libpangoft2-1.0-0``). Without it the command
says in one line what to install. Every page carries the event's title and "page N of
M" in its footer; table rows, figures and groups never split across pages; a table's
header row repeats on each page it runs to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facilitation.exports import NothingToExport, base_name
from facilitation.exports._files import write_atomic
from facilitation.exports._report import report_context
from facilitation.exports.html import render as render_html
from facilitation.store import Store

__all__ = ["DESCRIPTION", "FORMAT", "INSTALL", "PRINT_CSS", "layout", "render", "write"]

FORMAT = "pdf"
IN_ALL = False  # `--format all` leaves it out: the html format is the same pack, and this one is slow
DESCRIPTION = "outcome pack as a PDF (needs the pdf extra: pip install 'facilitation[pdf]')"
INSTALL = (
    "The PDF needs WeasyPrint: pip install 'facilitation[pdf]' (and on Debian or Ubuntu "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0); the html format prints to PDF from a browser too."
)

# Print rules added to the outcome pack for the PDF only. The title in the footer comes
# from the page's own <h1> (string-set), so no typed text is ever written into CSS.
PRINT_CSS = """<style>
  @page {
    size: A4; margin: 16mm 14mm 20mm;
    @bottom-left { content: string(event-title); font-size: 8pt; color: #555; }
    @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; }
  }
  h1 { string-set: event-title content(text); }
  body { max-width: none; padding: 0; font-size: 10pt; }
  tr, .figure, .group, svg { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; }
</style>
"""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: installed, but Pango is missing
        # said in one line; with --format all the other formats are still written
        raise NothingToExport(INSTALL) from exc
    return weasyprint


def layout(html: str) -> Any:
    """The laid-out pages (WeasyPrint's ``Document``) of an outcome pack's HTML."""
    weasyprint = _weasyprint()
    page = html.replace("</head>", PRINT_CSS + "</head>", 1)

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"the outcome pack fetches nothing ({url[:40]})")

    return weasyprint.HTML(string=page, url_fetcher=no_fetch).render()


def render(html: str) -> bytes:
    """The PDF of an outcome pack's HTML (no file, no network: every asset is inline)."""
    return bytes(layout(html).write_pdf())


def write(store: Store, event_id: int, out_dir: Path, *, file: Path | None = None) -> list[Path]:
    """Write ``<date> <title> (event N) outcome pack.pdf`` into ``out_dir`` (or to ``file``)."""
    _weasyprint()  # say what to install before any work
    context = report_context(store, event_id)
    ev = context["event"]
    data = render(render_html(context))
    name = f"{base_name(ev.title, ev.id, ev.starts_on)} outcome pack.pdf"
    return [write_atomic(Path(file) if file is not None else Path(out_dir) / name, data)]
