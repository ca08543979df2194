"""Pages the serving app answers itself, with no kernel: the join form and one-line notices
(a link that opens nothing, a full server, too many wrong codes).

Plain HTML with the project's stylesheet inlined (no outside request, no JavaScript);
everything typed or taken from a link is escaped.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

__all__ = ["MAX_TABLE_CHOICE", "render_join", "render_notice"]

MAX_TABLE_CHOICE = 60  # an event has 1 to 60 tables; the form lists them all, naming no event

_PLAIN_CSS = """
body { margin: 0; }
main.fac-page { max-width: 34rem; margin: 0 auto; padding: 1.5rem 1rem; font-size: 18px; }
.fac-join-form { display: flex; flex-direction: column; gap: 0.8rem; }
.fac-join-form label { display: block; font-weight: 600; margin-bottom: 0.2rem; }
.fac-join-form input, .fac-join-form select { font-size: 20px; padding: 6px 8px; width: 100%;
  box-sizing: border-box; border: 1px solid var(--fac-line); border-radius: 4px; color: var(--fac-ink);
  background: var(--fac-paper); }
.fac-join-code-input input { letter-spacing: 0.12em; text-transform: uppercase;
  font-family: ui-monospace, Menlo, Consolas, monospace; }
.fac-join-submit { font-size: 18px; min-height: 44px; padding: 6px 18px; background: #0b57d0; color: #fff;
  border: 1px solid #0b57d0; border-radius: 4px; cursor: pointer; align-self: flex-start; }
.fac-join-submit:focus-visible, .fac-join-form input:focus-visible, .fac-join-form select:focus-visible {
  outline: 3px solid var(--fac-focus); outline-offset: 2px; }
"""


@cache
def _css() -> str:
    css = resources.files("facilitation.ui").joinpath("static/facilitation.css").read_text(encoding="utf-8")
    return css + _PLAIN_CSS


# A refusal is answered often (a loop, a crawler): a few lines of style, not the whole sheet.
_NOTICE_CSS = (
    "body { margin: 0; color: #111; background: #fff; font-family: system-ui, 'Segoe UI', Roboto, Arial, sans-serif; }"
    " .fac-error { max-width: 40rem; margin: 0 auto; padding: 2em 1em; font-size: 20px; }"
    " .fac-error h1 { color: #a4262c; margin: 0 0 0.4em; }"
)


def _document(title: str, body: str, *classes: str, css: str | None = None) -> str:
    cls = " ".join(("fac-page", *classes))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_css() if css is None else css}</style></head>"
        f'<body><main class="{cls}">{body}</main></body></html>\n'
    )


def render_notice(message: str, title: str = "Cannot open this page") -> str:
    """A page that opens nothing: a heading and the reason in one line (escaped).

    Examples
    --------
    >>> page = render_notice("This link has no <key>.")
    >>> "<h1>Cannot open this page</h1>" in page and "no &lt;key&gt;." in page
    True
    """
    body = f'<div class="fac-error" role="alert"><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></div>'
    return _document(title, body, "fac-notice", css=_NOTICE_CSS)


def render_join(
    *, code: str = "", table: int | None = None, event: int | None = None, message: str = ""
) -> str:
    """The join form: a join code and a choice of table; names no event until a code is right.

    ``code`` and ``message`` are shown escaped, so a page sent back with an error keeps
    what was typed.

    Examples
    --------
    >>> page = render_join(code='"><script>', table=3, event=7, message="No event has that code.")
    >>> '"><script>' in page, "&quot;&gt;&lt;script&gt;" in page
    (False, True)
    >>> '<option value="3" selected>Table 3</option>' in page, 'name="event" value="7"' in page
    (True, True)
    """
    options = "".join(
        f'<option value="{n}"{" selected" if n == table else ""}>Table {n}</option>'
        for n in range(1, MAX_TABLE_CHOICE + 1)
    )
    alert = (
        f'<div class="fac-message fac-message-error" role="alert">{html.escape(message)}</div>'
        if message
        else '<div class="fac-message" role="status"></div>'
    )
    hidden = f'<input type="hidden" name="event" value="{int(event)}">' if event is not None else ""
    body = (
        '<div class="fac-table-page"><form class="fac-join-form" method="post" action="join.ipynb">'
        "<h1>Join the event</h1>"
        "<p>Type the join code shown on the projector and choose your table.</p>"
        '<div class="fac-join-code-input"><label for="fac-join-code">Join code</label>'
        '<input id="fac-join-code" name="code" type="text" autocomplete="off" autocapitalize="characters" '
        f'spellcheck="false" maxlength="12" required placeholder="e.g. K7QX2M" value="{html.escape(code)}">'
        "</div>"
        '<div class="fac-join-table"><label for="fac-join-table">Table</label>'
        f'<select id="fac-join-table" name="table">{options}</select></div>'
        f'{hidden}<button type="submit" class="fac-join-submit">Join</button>{alert}'
        "</form></div>"
    )
    return _document("Join the event", body, "fac-join-shell")
