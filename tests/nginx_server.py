"""Debian's nginx, started for a test in front of app replicas: deploy/nginx.conf (the documented
template) filled in with the replicas' ports, a free port to listen on and a log in a temporary
folder, inside a minimal main configuration of our own (pid, error log, temporary files, all in
that folder).  As root (CI) nginx's workers run as root too, so that they reach the temporary
folder; as any other user nginx runs as that user."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

NGINX = "/usr/sbin/nginx"
TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
PLACEHOLDER = re.compile(r"@([A-Z0-9_]+)@")


def available() -> bool:
    return Path(NGINX).is_file() and os.access(NGINX, os.X_OK)


def require_nginx() -> None:
    """Skip the test when nginx is missing, unless REQUIRE_NGINX=1 (CI), where that fails."""
    if not available():
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail(f"REQUIRE_NGINX=1 but no nginx at {NGINX}")
        pytest.skip("nginx is not installed (apt-get install nginx)")


def render(template: str, values: dict[str, str]) -> str:
    """The template with every @NAME@ replaced; a placeholder without a value is an error."""
    missing = sorted(set(PLACEHOLDER.findall(template)) - values.keys())
    if missing:
        raise KeyError(f"no value for {missing}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def configure(
    root: Path, port: int, upstreams: list[str], template: str | None = None, server_name: str = "localhost"
) -> Path:
    """Write into ``root`` the site (``template``, deploy/nginx.conf's text unless given, filled in)
    and a main configuration that includes it; the main configuration's path."""
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    values = {"LISTEN": f"127.0.0.1:{port}", "SERVER_NAME": server_name, "ACCESS_LOG": str(root / "access.log")}
    values |= {f"APP{i}": upstream for i, upstream in enumerate(upstreams, 1)}
    (root / "papers-dashboard.conf").write_text(render(text, values), encoding="utf-8")
    temp = "\n".join(
        f"    {kind}_temp_path {root / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = [
        "user root;" if os.geteuid() == 0 else "",
        "daemon off;",
        "worker_processes 1;",
        f"pid {root / 'nginx.pid'};",
        f"error_log {root / 'error.log'} info;",
        "events { worker_connections 256; }",
        "http {",
        temp,
        f"    include {root / 'papers-dashboard.conf'};",
        "}",
    ]
    conf = root / "nginx.conf"
    conf.write_text("\n".join(main) + "\n", encoding="utf-8")
    return conf


def check(conf: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` of a configuration written by :func:`configure`."""
    return subprocess.run(
        [NGINX, "-t", "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )


class Nginx:
    """nginx on ``port`` in front of ``upstreams`` (host:port each), configured by ``template``
    (deploy/nginx.conf's text unless given: a test may pass a broken variant)."""

    def __init__(
        self, port: int, upstreams: list[str], template: str | None = None, server_name: str = "localhost"
    ) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="papers-nginx-"))
        self.port = port
        self.url = f"http://{server_name}:{port}"  # resolved by the browser of the test
        self.local_url = f"http://127.0.0.1:{port}"
        self.log = self.root / "access.log"
        self.conf = configure(self.root, port, upstreams, template, server_name)
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", str(self.conf), "-e", str(self.root / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        errors = self.errors()
        self.stop()
        raise RuntimeError(f"nginx did not start: {errors}")

    def errors(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    def log_lines(self) -> list[dict[str, str]]:
        """The access log so far: each line's request, status, replica key and upstream."""
        pattern = re.compile(
            r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ replica=(?P<replica>\S+) upstream=(?P<upstream>.*?) time='
        )
        found = []
        for line in self.log.read_text(errors="replace").splitlines() if self.log.is_file() else []:
            match = pattern.search(line)
            if match:
                found.append(match.groupdict())
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
