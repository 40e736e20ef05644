"""``kyso serve`` as a real subprocess (uvicorn and its worker processes) for tests and benchmarks: started on a
free port from a configuration file, ready once ``/health`` answers, stopped at the end of the block."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def serve(config: Path, log: Path, *, startup: float = 60.0) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``(base URL, process)`` of ``kyso serve --config CONFIG --port 0``; its output goes to ``log``."""
    import httpx

    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "kyso", "serve", "--config", str(config), "--port", "0"],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + startup
            url = None
            while url is None:
                found = re.search(r"kyso serve: (http://[0-9.]+:\d+)/", log.read_text(errors="replace"))
                url = found.group(1) if found else None
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"kyso serve did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.1)
            while True:
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"kyso serve is not healthy: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.2)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
