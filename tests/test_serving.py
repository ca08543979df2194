"""The Voila configuration ``facilitate serve`` writes: choices measured in benchmarks/ and VOILA.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facilitation.serving.server import IOPUB_TIMEOUT_SECONDS, MAX_POOL, limits_for, voila_config


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

    from facilitation.serving import voila_command
    from facilitation.serving.rationing import Limits

    limits = Limits(max_kernels=30, per_address=5, connect_grace=15, join_failures_per_minute=10)
    section = json.loads(json.dumps(voila_config(4, limits)))["FacilitationVoila"]
    assert section == {
        "max_kernels": 30,
        "max_kernels_per_address": 5,
        "connect_grace": 15,
        "join_failures_per_minute": 10,
        "kernel_mib": limits.kernel_mib,
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


def test_serve_preheats_a_page_for_every_table_spares_the_projector_and_the_console() -> None:
    """The pool was one kernel per table, capped at 12: 28 of 40 tables waited for a cold kernel."""
    from facilitation.serving.server import plan_pool, spares_for

    plenty = limits_for(0, kernel_mib=70, free_mib=64_000)
    for tables in (1, 6, 12, 30, 40):
        plan = plan_pool(tables, plenty)
        spares = max(2, -(-tables // 4))
        assert spares_for(tables) == plan.spares == spares
        assert plan.wanted == plan.size == tables + spares + 2
        pools = json.loads(json.dumps(voila_config(plan.pools(), plenty)))["VoilaKernelManager"]
        assert pools["kernel_pools_config"] == {
            "table.ipynb": {"pool_size": tables + spares},
            "projector.ipynb": {"pool_size": 1},
            "facilitator.ipynb": {"pool_size": 1},
            "default": {"pool_size": 0},
        }
        # the app counts every preheated kernel against the budget, and refills at once
        assert voila_config(plan.pools(), plenty)["FacilitationVoila"]["pool_size"] == plan.size
        assert pools["fill_delay"] == 0
        assert not plan.short()
    # --pool N still preheats exactly N table pages (what the served tests use)
    assert plan_pool(40, plenty, pool_size=2).pools() == {"table.ipynb": 2}


def test_serve_says_how_many_pages_a_small_memory_holds() -> None:
    """With a fake small free memory, the plan preheats what fits beside the pages in use, and says so."""
    from facilitation.serving.server import plan_pool

    # 4 GiB free, 64 MiB a warm kernel: 51 kernels; 32 pages in use leave 19 warm of the 40 wanted
    plan = plan_pool(30, limits_for(0, kernel_mib=64, free_mib=4096))
    assert plan.short() and plan.size == 19 and plan.pools()["table.ipynb"] == 17
    text = " ".join(plan.describe())
    assert "holds 51 page kernels of 64 MiB" in text
    assert "want 40 warm pages beside the 32 pages in use" in text
    assert "Preheating 19 of the 40" in text and "start cold" in text
    assert plan.size + 32 <= plan.limits.max_kernels  # every table's page still fits beside the pool
    # 2 GiB: not even every table's page fits; nothing is preheated and it says how many are refused
    tiny = plan_pool(30, limits_for(0, kernel_mib=64, free_mib=2048))
    assert tiny.size == 0
    assert "8 of the 32 will be told the server is full" in " ".join(tiny.describe())
    # a service manager's --max-kernels is a budget too
    capped = plan_pool(6, limits_for(0, kernel_mib=64, free_mib=64_000, max_kernels=12))
    assert capped.size == 12 - 8 and "Preheating 4 of the 10" in " ".join(capped.describe())
    assert "the kernel budget (--max-kernels) holds 12 page kernels" in " ".join(capped.describe())


@pytest.mark.slow
def test_a_taken_page_is_refilled_at_once_and_a_wrong_key_takes_none(tmp_path, monkeypatch) -> None:
    """A real serve: progress, the ready line, a refill started at once (it waited 20 s), no kernel for a bad key."""
    import re
    import time
    import urllib.error
    import urllib.request

    import psutil
    from liveserver import start_server

    from facilitation.access import ORGANISER
    from facilitation.events import create_event
    from facilitation.store import open_store

    monkeypatch.setenv("FACILITATION_SECRET", "serving-tests-secret")
    db = str(tmp_path / "serve.db")
    store = open_store(db)
    keys = create_event(store, ORGANISER, template="innovation-challenge-half-day", title="Warm", tables=2)
    store.close()
    server = start_server(db, keys.event_id, tmp_path / "serve", pool=1)
    try:
        out = tmp_path / "serve" / "serve.out"
        voila = psutil.Process(server.voila_pid)
        config_dir = next(
            a.split("=", 1)[1] for a in voila.cmdline() if a.startswith("--Voila.config_file_paths=")
        )
        status = Path(config_dir) / "pool-status.json"

        def warm() -> list[int]:
            try:
                return json.loads(status.read_text())["pools"]["table.ipynb"]
            except (OSError, ValueError, KeyError):
                return [0, 0]

        def kernel_pids() -> set[int]:
            return {p.pid for p in voila.children() if "ipykernel" in " ".join(p.cmdline())}

        deadline = time.monotonic() + 240
        while "Ready:" not in out.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        text = out.read_text()
        assert re.search(r"^Warming pages: 0/1$", text, re.M) and re.search(
            r"^Warming pages: 1/1$", text, re.M
        )
        assert re.search(r"^Ready: 1 table page\(s\) warm \(1 kernels in \d+ s\)\.$", text, re.M), text
        assert warm() == [1, 1]
        before = kernel_pids()

        # a wrong key is refused before any kernel: the warm page stays in the pool
        bad = server.links["table 1"].replace(keys.tables[1], "0" * 32)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=60)
        assert refused.value.code == 403
        time.sleep(2)
        assert warm() == [1, 1] and kernel_pids() == before

        with urllib.request.urlopen(server.links["table 1"], timeout=120) as resp:
            assert resp.status == 200
        taken = time.monotonic()
        while not kernel_pids() - before and time.monotonic() - taken < 60:
            time.sleep(0.1)
        refill_started = time.monotonic() - taken
        assert refill_started < 10, refill_started  # at once: Voila's fill_delay was 20 s
        time.sleep(1.5)  # the app rewrites its status file every 0.5 s: now it counts the taken page out
        while warm() != [1, 1] and time.monotonic() - taken < 240:
            time.sleep(0.25)
        assert warm() == [1, 1]  # warm again: the next laptop finds a page
    finally:
        server.stop()
