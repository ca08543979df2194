"""The Voila configuration ``facilitate serve`` writes: choices measured in benchmarks/ and VOILA.md."""

from __future__ import annotations

import json

from facilitation.serving.server import IOPUB_TIMEOUT_SECONDS, MAX_POOL, voila_config


def test_a_page_waits_for_its_output_when_the_server_is_loaded() -> None:
    """nbclient's own 4 s left table pages without their widgets while 40 opened on 2 cores."""
    config = voila_config(MAX_POOL)
    assert config["VoilaExecutor"]["iopub_timeout"] == IOPUB_TIMEOUT_SECONDS >= 30


def test_the_pool_is_for_table_pages_only_and_kernels_talk_over_ipc() -> None:
    config = json.loads(json.dumps(voila_config(5)))  # written as JSON: nothing but JSON in it
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    assert pools == {"table.ipynb": {"pool_size": 5}, "default": {"pool_size": 0}}
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    assert voila_config(0)["VoilaConfiguration"]["preheat_kernel"] is False
    assert config["KernelManager"]["transport"] == "ipc"
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0


def test_the_served_app_is_the_guarded_one_with_the_limits_serve_computed() -> None:
    """Naive serving ran plain Voila (``-m voila``): every request started a kernel."""
    from pathlib import Path

    from facilitation.serving.rationing import Limits
    from facilitation.serving.server import limits_for, voila_command

    limits = Limits(max_kernels=30, per_address=5, connect_grace=15, join_failures_per_minute=10)
    section = json.loads(json.dumps(voila_config(4, limits)))["FacilitationVoila"]
    assert section == {
        "max_kernels": 30,
        "max_kernels_per_address": 5,
        "connect_grace": 15,
        "join_failures_per_minute": 10,
        "pool_size": 4,
        "gzip": True,
    }
    with_proxy = voila_config(4, limits, trusted_proxies=("127.0.0.1", "10.0.0.0/8"))["FacilitationVoila"]
    assert with_proxy["trusted_proxies"] == ["127.0.0.1", "10.0.0.0/8"]
    # the benchmarks' bare page is served with no key only when asked for; serve never asks
    assert voila_config(4, limits, open_pages=("bare",))["FacilitationVoila"]["open_pages"] == ["bare"]
    assert voila_command(Path("/tmp/x"), "127.0.0.1", 8866)[1:3] == ["-m", "facilitation.serving.server"]
    computed = limits_for(4, max_kernels=7, per_address=50)
    assert computed.max_kernels <= 7 and computed.per_address <= computed.max_kernels
