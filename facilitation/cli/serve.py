"""``facilitate serve``: the live event's pages in Voila, with every link and a QR code."""

from __future__ import annotations

import argparse

from facilitation.cli._common import event_of, store_of


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the projector, console, table and join pages (Voila, standalone)",
        description=(
            "Start Voila on its own (never JupyterLab: no browser can run code on the server) and "
            "print the memory budget for page kernels and one link per page: projector (with its "
            "read-only key), facilitator, each table, organiser; then a QR code of the join page. "
            "It preheats a page for every table, spares, the projector and the console, shows "
            "'Warming pages: k/n' while they start and one line when every table's page is ready. "
            "Keep the facilitator's and tables' links off the projector."
        ),
    )
    p.add_argument("event", metavar="EVENT", help="event id or join code")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 for the venue network")
    p.add_argument("--port", type=int, default=8866, help="port to listen on (default 8866)")
    p.add_argument(
        "--pool",
        type=int,
        default=None,
        help=(
            "preheat exactly N table-page kernels and nothing else (0 turns preheating off); default: "
            "a warm page for every table, a quarter more (at least two) for second laptops, the projector "
            "and the console, as far as the memory holds them"
        ),
    )
    p.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        help="page kernels in all, the pool included (default: what the free memory allows)",
    )
    p.add_argument(
        "--per-address",
        type=int,
        default=10,
        help="page kernels per client address (default 10)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDR",
        help=(
            "a reverse proxy in front of the server (an address or network; repeatable; default none): "
            "its requests count against the right-most untrusted address of X-Forwarded-For. "
            "Anyone else's X-Forwarded-For is ignored"
        ),
    )
    p.add_argument("--open", action="store_true", help="open the projector page in this machine's browser")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from facilitation.serving.server import serve

    store = store_of(args)
    try:
        event_id = event_of(store, args).id
    finally:
        store.close()
    return serve(
        args.db,
        event_id,
        host=args.host,
        port=args.port,
        open_browser=args.open,
        pool_size=args.pool,
        max_kernels=args.max_kernels,
        per_address=args.per_address,
        trusted_proxies=tuple(args.trusted_proxy),
    )
