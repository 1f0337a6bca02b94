"""bench/server.py: the one way the benchmark and the browser tests start the app, never waiting forever."""

import pytest

from bench.server import streamlit_server


def test_a_server_that_does_not_answer_in_time_is_an_error_and_is_stopped(tmp_path):
    with pytest.raises(RuntimeError, match="did not answer within 0 s"):
        with streamlit_server(tmp_path / "log.txt", deadline=0.01):
            pytest.fail("a server cannot answer in 10 ms")
