"""README.rst's coverage table must say exactly what botocore's model and the backend say."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import coverage_table  # noqa: E402


def test_readme_coverage_table_is_true() -> None:
    readme = coverage_table.README.read_text()
    assert coverage_table.readme_section(readme) == coverage_table.table(), (
        "README.rst's coverage table is stale: run `python scripts/coverage_table.py --write`"
    )


def test_table_lists_every_operation_of_the_model() -> None:
    from moto_drs.drs.models import drs_service_model

    assert (
        len(coverage_table.coverage()) == len(drs_service_model().operation_names) >= 70
    )
