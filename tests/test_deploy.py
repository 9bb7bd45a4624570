"""deploy/: the systemd units and the nginx template must keep matching the program they run.
Every command line of a unit is parsed by the real parsers (our CLI's argparse, Streamlit's
config options), every setting the nginx template depends on is read from the app's own
configuration, and `systemd-analyze verify` and `nginx -t` check the files themselves when those
tools are installed (skipped otherwise)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT
from nginx_server import PLACEHOLDER, check, configure, require_nginx

DEPLOY = ROOT / "deploy"
UNITS = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])
APP_UNITS = [DEPLOY / "papers-dashboard.service", DEPLOY / "papers-dashboard@.service"]
PROJECT, DATA = "/srv/papers-dashboard", "/srv/papers"
NGINX_CONF = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def settings(unit: Path) -> list[tuple[str, str, str]]:
    """A unit file's (section, key, value) lines, in order (a key may repeat: ExecStart=)."""
    found, section = [], ""
    for line in unit.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.append((section, key.strip(), value.strip()))
    return found


def values(unit: Path, key: str) -> list[str]:
    return [value for _, k, value in settings(unit) if k == key]


def commands(unit: Path) -> list[list[str]]:
    """The unit's ExecStart= command lines, split as systemd splits them."""
    return [shlex.split(value.lstrip("-@:+!")) for value in values(unit, "ExecStart")]


def test_the_units_are_the_expected_ones():
    names = {unit.name for unit in UNITS}
    assert names == {
        "papers-dashboard.service",
        "papers-dashboard@.service",
        "papers-fetch.service",
        "papers-fetch.timer",
    }


@pytest.mark.parametrize("unit", APP_UNITS, ids=lambda p: p.name)
def test_the_app_units_run_the_app_with_real_streamlit_options(unit):
    from streamlit import config

    [command] = commands(unit)
    assert command[:3] == [f"{PROJECT}/.venv/bin/streamlit", "run", "dashboard.py"], command
    assert (ROOT / "dashboard.py").is_file() and values(unit, "WorkingDirectory") == [PROJECT]
    known, options = config.get_config_options(), {}
    for flag in command[3:]:
        match = re.fullmatch(r"--([a-zA-Z]+\.[a-zA-Z]+)=(\S+)", flag)
        assert match, flag
        name, value = match.groups()
        assert name in known, f"streamlit has no option {name}"
        option = known[name]
        if option.type is bool:
            assert value in ("true", "false"), flag
        elif option.type is int:
            assert value.isdigit() or value == "%i", flag
        options[name] = value
    assert options["client.showErrorDetails"] in {v.value for v in config.ShowErrorDetailsConfigOptions}
    # what production needs: no browser, local only (nginx in front), generic errors, no watcher, no telemetry
    assert options == {
        "server.headless": "true",
        "server.address": "127.0.0.1",
        "server.port": "%i" if "@" in unit.name else "8501",
        "client.showErrorDetails": "none",
        "server.fileWatcherType": "none",
        "browser.gatherUsageStats": "false",
    }


def test_the_fetch_runs_the_real_cli_the_docs_give():
    from lib.cli import build_parser

    unit = DEPLOY / "papers-fetch.service"
    assert values(unit, "Type") == ["oneshot"]  # ExecStart= lines run one after the other
    fetch, build = commands(unit)
    for command in (fetch, build):
        assert command[:3] == [f"{PROJECT}/.venv/bin/python", "-m", "lib"], command
    parsed = build_parser().parse_args(fetch[3:])  # argparse exits (SystemExit) on an unknown flag
    assert (parsed.command, parsed.source, parsed.since_last, parsed.refresh) == ("fetch", "hf", True, 14)
    assert build_parser().parse_args(build[3:]).command == "build"
    assert " ".join(fetch[3:]) in OPERATIONS  # the cron line of docs/operations.md: the same command
    timer = DEPLOY / "papers-fetch.timer"
    assert values(timer, "OnCalendar") and values(timer, "Persistent") == ["true"]
    assert not values(timer, "Unit")  # it starts papers-fetch.service, its namesake


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda p: p.name)
def test_every_unit_sets_a_documented_environment(unit):
    environment = values(unit, "Environment")
    assert f"PAPERS_DATA={DATA}" in environment
    for line in environment:
        assert f"`{line.split('=', 1)[0]}`" in OPERATIONS, line
    assert "-/etc/papers-dashboard/secrets.env" in values(unit, "EnvironmentFile")  # the secrets stay out of the unit
    assert not any(line.startswith("PAPERS_READONLY") for line in environment)  # set per replica, never for the fetch
    assert values(unit, "User") == ["papers"]


def test_the_units_verify():
    """``systemd-analyze verify`` of the units, with the project's path and a data directory that
    exist here (it checks that the commands are executable)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze on this machine")
    with tempfile.TemporaryDirectory() as tmp:
        for unit in UNITS:
            text = unit.read_text(encoding="utf-8").replace(PROJECT, str(ROOT)).replace(DATA, tmp)
            (Path(tmp) / unit.name.replace("@.", "@8502.")).write_text(text, encoding="utf-8")
        done = subprocess.run(
            [analyze, "verify", *sorted(str(p) for p in Path(tmp).iterdir())],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp,
        )
    if "Failed to connect to bus" in done.stderr or "System has not been booted with systemd" in done.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {done.stderr.strip()[:200]}")
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done.stdout + done.stderr


# --- deploy/nginx.conf -------------------------------------------------------------------------
def test_the_nginx_template_names_its_placeholders_and_how_to_fill_them():
    placeholders = set(PLACEHOLDER.findall(NGINX_CONF.split("\n\n", 1)[1]))  # below the header
    assert placeholders == {"LISTEN", "SERVER_NAME", "APP1", "APP2", "ACCESS_LOG"}
    documented = set(re.findall(r"-e 's[/|]@([A-Z0-9_]+)@[/|]", NGINX_CONF))  # the header's sed line
    assert documented == placeholders


def test_the_nginx_template_matches_the_app():
    upload_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"][
        "maxUploadSize"
    ]
    assert re.search(rf"^\s*client_max_body_size {upload_mb}m;", NGINX_CONF, flags=re.M)
    for line in (
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $papers_connection;",
        "proxy_set_header Host $http_host;",  # with its port: Streamlit's WebSocket origin check
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "hash $papers_replica consistent;",
    ):
        assert re.search(rf"^\s*{re.escape(line)}", NGINX_CONF, flags=re.M), line
    assert not re.search(r"^\s*sticky\b", NGINX_CONF, flags=re.M)  # NGINX Plus only
    assert "/_stcore/upload_file" in NGINX_CONF and "/_stcore/stream" in NGINX_CONF  # it says why


def test_nginx_accepts_the_template(tmp_path):
    require_nginx()
    conf = configure(tmp_path, 8080, ["127.0.0.1:8501", "127.0.0.1:8502"])
    done = check(conf)
    assert done.returncode == 0, done.stderr
