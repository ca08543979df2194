"""Serving: ``facilitate serve`` runs Voila standalone with a gate in front of every kernel.

- the rule of which link opens which page: :mod:`facilitation.serving.gate`;
- pure bookkeeping of kernels (who may have one, how many, how long):
  :mod:`facilitation.serving.rationing`;
- the server process and its settings: :mod:`facilitation.serving.server`
  (``python -m facilitation.serving.server VOILA-ARGS``);
- the Voila app with the gate: :mod:`facilitation.serving.app`.

The server and the app load on first use of their names (page kernels import the gate
and must not load Voila).

>>> from facilitation.serving import check_page, voila_command
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from facilitation.serving.gate import (
    KERNEL_PAGES,
    WRONG_KEY,
    PageQuery,
    check_page,
    event_projector_key,
    join_table_link,
)
from facilitation.serving.rationing import (
    FailureLimiter,
    Limits,
    Network,
    Rationer,
    Ticket,
    client_address,
    memory_budget,
    trusted_networks,
)

if TYPE_CHECKING:
    from facilitation.serving.app import (
        FacilitationVoila,
        main,
    )
    from facilitation.serving.server import (
        PageLinks,
        PoolPlan,
        available_mib,
        child_pids,
        limits_for,
        measure_kernel_mib,
        notebooks_dir,
        page_links,
        plan_pool,
        pool_status,
        serve,
        spares_for,
        start_voila,
        voila_command,
        voila_config,
    )

# Loaded on first use: page kernels import the gate, and must not load Voila and tornado.
_LAZY = {
    "PageLinks": "server",
    "PoolPlan": "server",
    "available_mib": "server",
    "measure_kernel_mib": "server",
    "plan_pool": "server",
    "pool_status": "server",
    "spares_for": "server",
    "child_pids": "server",
    "limits_for": "server",
    "notebooks_dir": "server",
    "page_links": "server",
    "serve": "server",
    "start_voila": "server",
    "voila_command": "server",
    "voila_config": "server",
    "FacilitationVoila": "app",
    "main": "app",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KERNEL_PAGES",
    "WRONG_KEY",
    "FacilitationVoila",
    "FailureLimiter",
    "Limits",
    "Network",
    "PageLinks",
    "PageQuery",
    "PoolPlan",
    "Rationer",
    "Ticket",
    "available_mib",
    "check_page",
    "child_pids",
    "client_address",
    "event_projector_key",
    "join_table_link",
    "limits_for",
    "main",
    "measure_kernel_mib",
    "memory_budget",
    "notebooks_dir",
    "page_links",
    "plan_pool",
    "pool_status",
    "serve",
    "spares_for",
    "start_voila",
    "trusted_networks",
    "voila_command",
    "voila_config",
]
