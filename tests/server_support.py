"""The product under a real gunicorn on a loopback port, for the tests that need real processes
(concurrent requests, a worker held by a request, SQLite's locks between processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.notification_support import free_port
from tests.time_support import wait_until
from web.config import ROOT


class Gunicorn:
    """`gunicorn "web:create_app()"` against `database_url`, its output in `log_path` (a file:
    a pipe nobody reads would stall the workers once full). `options`: more gunicorn options;
    `env`: more environment. The secret key is given, so no key file is written under the
    checkout's instance/."""

    def __init__(
        self,
        database_url: str,
        log_path: Path,
        *,
        workers: int = 2,
        threads: int = 1,
        options: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("wb")
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
        command += ["--threads", str(threads), "--bind", f"127.0.0.1:{self.port}"]
        command += ["--graceful-timeout", "5", *options, "web:create_app()"]
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "gunicorn-under-test",
            **(env or {}),
        }
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until /healthz answers 200 (each worker imports the app: a few seconds)."""

        def healthy() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=timeout) as answer:
                    return answer.status == 200
            except OSError:  # refused before the master listens, or a worker still importing
                return False

        wait_until(
            healthy,
            timeout=timeout,
            every=0.2,
            failure=lambda: f"gunicorn did not answer /healthz:\n{self.output()}",
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text("utf-8", "replace")[-4000:]
