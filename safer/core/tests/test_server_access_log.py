"""Gunicorn, started from the repository root as the README's production section and ``scripts/run-demo`` start it,
reads ``gunicorn.conf.py``: its access log gives each request's path without the query string, so a name sent in
a URL (an old bookmark, a script) is not kept in the log."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, deadline: float) -> int:
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            return status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_access_log_leaves_out_the_query_string(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log)),
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        get(port, "/health?name=Margaret+Hughes&postcode=LE18+4PA", time.monotonic() + 60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the access log is flushed as the worker stops
        server.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert len(lines) == 1, lines
    assert '"GET /health HTTP/1.1"' in lines[0]
    assert "Margaret" not in lines[0] and "Hughes" not in lines[0] and "LE18" not in lines[0] and "?" not in lines[0]
