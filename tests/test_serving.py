"""The Voila configuration ``facilitate serve`` writes: choices measured in benchmarks/ and VOILA.md."""

from __future__ import annotations

import json

from facilitation.serving import IOPUB_TIMEOUT_SECONDS, MAX_POOL, voila_config


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
