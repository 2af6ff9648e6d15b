"""Print (or, with --write, refresh in README.rst) the table of DRS operations this mock implements.

An operation counts as implemented when DrsBackend has the method its response handler calls; the
list of operations comes from botocore's DRS model, so the table follows botocore's contract.
"""

import re
import sys
from pathlib import Path

from botocore import xform_name

BEGIN = ".. coverage-table-begin"
END = ".. coverage-table-end"
README = Path(__file__).resolve().parent.parent / "README.rst"


def coverage() -> list[tuple[str, bool]]:
    from moto_drs.drs.models import DrsBackend, drs_service_model

    names = sorted(drs_service_model().operation_names)
    return [
        (name, callable(getattr(DrsBackend, xform_name(name), None))) for name in names
    ]


def table() -> str:
    rows = coverage()
    done = sum(1 for _, implemented in rows if implemented)
    width = max(len(name) for name, _ in rows) + 4
    rule = f"{'=' * width} ===========\n"
    lines = [
        f"{done} of {len(rows)} operations of botocore's DRS model are implemented.\n\n",
        rule,
        f"{'Operation':<{width}} Implemented\n",
        rule,
    ]
    lines += [
        f"{'``' + name + '``':<{width}} {'yes' if implemented else 'no'}\n"
        for name, implemented in rows
    ]
    lines.append(rule)
    return "".join(lines)


def readme_section(text: str) -> str:
    match = re.search(re.escape(BEGIN) + r"\n\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else ""


def main() -> None:
    generated = table()
    if "--write" in sys.argv:
        text = README.read_text()
        start, end = text.index(BEGIN), text.index(END)
        README.write_text(text[:start] + BEGIN + "\n\n" + generated + "\n" + text[end:])
    else:
        sys.stdout.write(generated)


if __name__ == "__main__":
    main()
