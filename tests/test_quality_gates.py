"""moto's quality gates, enforced on every test run: ``ruff format --check`` and ``ruff check``
with moto's settings (ruff.toml) and ``mypy`` with moto's strict settings (setup.cfg [mypy]).

A port of ``moto_drs/drs/`` to ``moto/drs/`` must be a copy, not a reformat: these keep it so.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "format", "--check", "."),
        ("ruff", "check", "."),
        ("mypy",),
    ],
    ids=["ruff-format", "ruff-check", "mypy"],
)
def test_moto_quality_gate(command: tuple[str, ...]) -> None:
    _run(*command)
