#!/usr/bin/env python3
"""Prove the generated moto pull request works without this plugin.

    python scripts/check_upstream.py OUT

In a fresh virtualenv with moto installed from ``OUT`` (the tree ``scripts/upstream.py`` wrote)
and ``moto_drs`` NOT installed: moto's own ruff and mypy settings pass on every Python file the
pull request adds or changes (``moto/drs`` and the rest), and
``pytest tests/test_drs`` passes in process and with ``TEST_SERVER_MODE=true`` against
``moto_server``, as moto's two CI passes run it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# What moto's requirements-dev.txt pins for linting (moto 5.2.5: ruff==0.14.10), and the part
# of moto's requirements-tests.txt the DRS tests use (cfn-lint and requests come with moto's
# ``server`` extra). Nothing else: the port's tests must run with what moto's CI installs, which
# is why hypothesis is not here (docs/upstream.md).
LINT = ["ruff==0.14.10", "mypy", "types-requests", "botocore-stubs"]
TESTS = ["pytest", "freezegun"]


def step(
    title: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None
) -> None:
    print(f"== {title}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env)
    print(
        f"== {title}: exit {done.returncode} in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{title} failed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def changed_python_files(out: Path) -> list[str]:
    """Every Python file the pull request adds or changes (moto/drs, the Moto API endpoints,
    the registration edits, the core changes and all tests), as moto's lint sees the repo."""
    listed = subprocess.run(
        [
            "git",
            "diff",
            "--name-only",
            "--diff-filter=d",
            "drs-base",
            "HEAD",
            "--",
            "*.py",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if "moto/drs/__init__.py" not in listed:
        raise SystemExit(
            f"{out} is not a tree scripts/upstream.py wrote (no drs-base tag?)"
        )
    return listed


def check(out: Path) -> int:
    out = out.resolve()
    started = time.monotonic()
    venv = out / ".venv-check"
    if not venv.exists():
        step("virtualenv", [sys.executable, "-m", "venv", str(venv)], out)
    python = str(venv / "bin" / "python")
    step(
        "install moto from the tree",
        [python, "-m", "pip", "install", "-q", "-e", ".[server]", *LINT, *TESTS],
        out,
    )
    shown = subprocess.run(
        [python, "-m", "pip", "show", "moto-drs"], capture_output=True
    )
    if shown.returncode == 0:
        raise SystemExit(
            "moto-drs is installed in the check environment; it must not be"
        )
    bin_dir = venv / "bin"
    changed = changed_python_files(out)
    step(
        "ruff format (moto's settings)",
        [str(bin_dir / "ruff"), "format", "--check", *changed],
        out,
    )
    step(
        "ruff check (moto's settings)", [str(bin_dir / "ruff"), "check", *changed], out
    )
    # moto's mypy covers moto/ and tests/test_core (setup.cfg ``files``)
    typed = [f for f in changed if f.startswith(("moto/", "tests/test_core/"))]
    step("mypy (moto's settings)", [str(bin_dir / "mypy"), *typed], out)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TEST_SERVER_MODE", "TEST_SERVER_MODE_ENDPOINT")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    tests = [
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "tests/test_drs",
    ]
    step("tests in process", tests, out, env)
    port = free_port()
    server = subprocess.Popen(
        [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        cwd=out,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        server_env = dict(
            env, TEST_SERVER_MODE="true", TEST_SERVER_MODE_ENDPOINT=endpoint
        )
        step(
            "tests against moto_server (TEST_SERVER_MODE=true)", tests, out, server_env
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except (
            subprocess.TimeoutExpired
        ):  # its SIGTERM handler can wait on request threads
            server.kill()
            server.wait(timeout=10)
    print(
        "the port passes moto's lint, type checks and both test passes "
        f"({time.monotonic() - started:.0f} s in all)"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        raise SystemExit(__doc__)
    if not Path(sys.argv[1], "moto").is_dir():
        raise SystemExit(
            f"{sys.argv[1]}: not a tree scripts/upstream.py wrote (no moto/)\n{__doc__}"
        )
    sys.exit(check(Path(sys.argv[1])))
