"""``kyso agent run`` in a child process, for tests and benchmarks: started on a free port, its address read from
its first line, its output kept (a test that sees a closed socket shows what the agent said)."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from collections.abc import Mapping


class AgentProcess:
    """A running ``kyso agent run ARGS`` (give ``--port 0``); :attr:`url` is its ``ws://`` or ``wss://`` address."""

    def __init__(self, args: list[str], env: Mapping[str, str], *, startup_timeout: float = 60.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kyso", "agent", "run", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=dict(env),
        )
        self.output: list[str] = []
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        while True:
            try:
                line = lines.get(timeout=startup_timeout)
            except queue.Empty:
                self.process.kill()
                raise RuntimeError("the agent did not start: " + "".join(self.output)) from None
            if "listening on " in line:
                self.url = line.rsplit("listening on ", 1)[1].strip()
                return

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


__all__ = ["AgentProcess"]
