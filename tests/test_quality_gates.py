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


def test_the_service_stands_alone() -> None:
    """``moto_drs/drs/`` cites AWS sources, not this project's docs/, and has no plugin hooks."""
    service = ROOT / "moto_drs" / "drs"
    for path in service.rglob("*.py"):
        text = path.read_text()
        assert "docs/" not in text.replace("docs.aws", ""), path
        assert "moto_drs" not in text, path
        assert "BEFORE_OPERATION" not in text, path
        assert "register_default_transition" not in text, path
