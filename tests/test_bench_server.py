"""bench/server.py: the one way the benchmark and the browser tests start the app, never waiting forever."""

import os
import subprocess
import sys

import pytest

from bench.server import ROOT, SERVER_ENV, streamlit_server


def test_a_server_that_does_not_answer_in_time_is_an_error_and_is_stopped(tmp_path):
    with pytest.raises(RuntimeError, match="did not answer within 0 s"):
        with streamlit_server(tmp_path / "log.txt", deadline=0.01):
            pytest.fail("a server cannot answer in 10 ms")


ARENA_PROBE = """
import ctypes, sys, threading
sys.path.insert(0, {root!r})
from bench.memory import cap_malloc_arenas
capped = cap_malloc_arenas(2) if {cap} else None
held, ready = [], threading.Barrier(9)
def allocate():
    held.append([bytearray(300_000) for _ in range(4)])   # big enough to come from malloc, kept until all are in
    ready.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads:
    t.start()
ready.wait()
ctypes.CDLL("libc.so.6").malloc_stats()                    # one "Arena N:" block per arena, on stderr
for t in threads:
    t.join()
print(capped)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc arenas: Linux only")
def test_the_in_process_bench_caps_mallocs_arenas_as_the_server_is_capped():
    def arenas(cap: bool) -> tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
        out = subprocess.run([sys.executable, "-c", ARENA_PROBE.format(root=str(ROOT), cap=cap)], env=env,
                             capture_output=True, text=True, check=True, timeout=60)
        return out.stderr.count("Arena "), out.stdout.strip()

    uncapped, _ = arenas(False)
    capped, said = arenas(True)
    assert uncapped >= 4                       # 8 threads allocating at once spread over several arenas ...
    assert capped <= 2 and said == "True"      # ... and over 2 once capped


def test_the_readmes_command_runs_the_app_in_the_servers_environment():
    """The bench and the browser tests start the app as the README's command does (bench/server.py)."""
    run = next(line for line in (ROOT / "README.md").read_text().splitlines() if "streamlit run app.py" in line)
    for name, value in SERVER_ENV.items():
        assert f"{name}={value} " in run
