#!/usr/bin/env python3
"""Generate the moto pull request that adds DRS as ``moto/drs``.

    python scripts/upstream.py --moto-src DIR --out DIR [--check]

``--moto-src`` is a moto source tree: a git checkout, or the unpacked sdist of the version this
project pins (``pip download moto==5.2.5 --no-deps --no-binary :all:``). ``--out`` becomes a git
repository on branch ``drs`` with one commit per logical part, ready to push and open as a pull
request; ``OUT/patches/`` holds the same commits as a patch series (``git am`` applies it).
``--check`` then proves the port: see ``scripts/check_upstream.py``.

Why generated rather than hand-kept: the service lives here as ``moto_drs/drs/`` and moves as a
copy, so the only hand-written parts are the small edits moto's own scripts would make
(``scripts/update_backend_index.py``, ``scripts/implementation_coverage.py``) and the test
conversion rules below. docs/upstream.md explains what is left out and how to split the PR.
"""

from __future__ import annotations

import argparse
import ast
import pprint
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE = "drs"
BACKEND_CLASS = "DrsBackend"
BRANCH = "drs"
BASE_TAG = "drs-base"  # the moto commit the branch starts from
AUTHOR = ["-c", "user.name=moto-drs", "-c", "user.email=moto-drs@users.noreply.local"]

# Plugin-only tests: they test the plugin glue (registration, the mock_drs decorator, the
# pytest plugin, fault injection, the serializer cache, the README) and do not move upstream.
PLUGIN_ONLY_TESTS = {
    "test_plugin.py",
    "test_faults.py",
    "test_serializer.py",
    "test_coverage_table.py",
    "test_server_mode.py",
    "test_lint.py",
    "test_upstream.py",
    "test_quality_gates.py",
    "test_core_patches.py",
    "test_scale.py",
    "test_first_requests.py",
    "test_ec2_core_patches.py",
    "test_readme_examples.py",
    # the stack failures and rollbacks the plugin adds to moto's CloudFormation (stack_failures.py)
    "test_cloudformation_failures.py",
    # quota overrides and their /quotas endpoint are a plugin feature (faults.py), like faults
    "test_quotas.py",
    # hypothesis properties: moto's requirements-tests.txt has no hypothesis (docs/upstream.md);
    # the deterministic model-generated cases of test_hostile_input.py are ported
    "test_hostile_input_properties.py",
}
# Test dependencies moto's CI does not install: a ported test file must not import them.
NOT_IN_MOTO_TEST_REQUIREMENTS = ("hypothesis",)
# Seeding/simulation endpoints that stay in the plugin (fault injection is a test-tool feature
# moto does not have; see docs/upstream.md).
PLUGIN_ONLY_ENDPOINTS = ("/faults", "/quotas")
PLUGIN_ONLY_PATHS = tuple(path.lstrip("/") for path in PLUGIN_ONLY_ENDPOINTS)


def run(cmd: list[str], cwd: Path, check: bool = True) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(
            f"failed: {' '.join(cmd)} (in {cwd})\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def git(out: Path, *args: str, check: bool = True) -> str:
    return run(["git", *AUTHOR, *args], out, check)


def commit(out: Path, message: str) -> None:
    git(out, "add", "-A")
    if git(out, "status", "--porcelain").strip():
        git(out, "commit", "-q", "-m", message)


def ruff_format(out: Path, *paths: str) -> None:
    """Format as moto's CI does (``ruff format`` with moto's settings from its pyproject.toml)."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    run([ruff, "format", "-q", *paths], out)
    run([ruff, "check", "-q", "--fix", "--select", "I", *paths], out, check=False)


# -- the tree ----------------------------------------------------------------------------------


def prepare(moto_src: Path, out: Path) -> str:
    """``out`` as a git repository of ``moto_src`` on a new branch; returns moto's version."""
    if out.exists():
        shutil.rmtree(out)
    if (moto_src / ".git").exists():
        run(["git", "clone", "-q", str(moto_src), str(out)], ROOT)
    else:
        shutil.copytree(moto_src, out, ignore=shutil.ignore_patterns("*.egg-info"))
        run(["git", "init", "-q", "-b", "main"], out)
        commit(out, "moto as released (unpacked sdist)")
    git(out, "checkout", "-q", "-b", BRANCH)
    text = (out / "moto" / "__init__.py").read_text()
    match = re.search(r'__version__ = "([^"]+)"', text)
    return match.group(1) if match else "unknown"


def add_core_changes(out: Path) -> list[str]:
    """The small moto-core changes the service relies on, one commit each (docs/upstream.md).

    Each lives in ``moto_drs/core_patches/`` as a unified diff against moto's tree with its
    tests; the plugin applies the same change to the installed moto at registration."""
    applied = []
    for patch in sorted((ROOT / "moto_drs" / "core_patches").glob("*.diff")):
        git(out, "apply", "--index", str(patch))
        title = patch.read_text().splitlines()[0].lstrip("# ").strip()
        git(out, "commit", "-q", "-m", f"Core: {title}")
        applied.append(patch.name)
    return applied


def add_service(out: Path) -> None:
    target = out / "moto" / SERVICE
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(
        ROOT / "moto_drs" / SERVICE,
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    leaks = [
        str(path.relative_to(out))
        for path in target.rglob("*.py")
        if re.search(r"\bmoto_drs\b|docs/[\w-]+\.md", path.read_text())
    ]
    if leaks:
        raise SystemExit(
            f"the service must stand alone (no moto_drs imports, no docs/ links): {leaks}"
        )
    ruff_format(out, f"moto/{SERVICE}")
    commit(out, f"DRS: the {SERVICE} service (moto/{SERVICE})")


def url_bases(out: Path) -> list[str]:
    tree = ast.parse((out / "moto" / SERVICE / "urls.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "url_bases" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise SystemExit("moto/drs/urls.py has no url_bases")


def update_backend_index(out: Path) -> None:
    """As moto's scripts/update_backend_index.py writes it: the pprint of (module, pattern)
    pairs in module order, formatted with ruff."""
    path = out / "moto" / "backend_index.py"
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    index = [pair for pair in namespace["backend_url_patterns"] if pair[0] != SERVICE]  # type: ignore[attr-defined]
    new = [(SERVICE, re.compile(base)) for base in url_bases(out)]
    position = next(
        (i for i, (name, _) in enumerate(index) if name > SERVICE), len(index)
    )
    index[position:position] = new
    with path.open("w") as handle:
        handle.write("# autogenerated by moto/scripts/update_backend_index.py\n")
        handle.write("import re\n")
        handle.write("backend_url_patterns = ")
        pprint.pprint(index, handle)
        handle.write("\n")
    ruff_format(out, "moto/backend_index.py")


def insert_sorted(lines: list[str], pattern: str, new: list[str], key: str) -> None:
    """Insert ``new`` before the first line matching ``pattern`` whose key sorts after ``key``."""
    regex = re.compile(pattern)
    for index, line in enumerate(lines):
        match = regex.search(line)
        if match and match.group(1) > key:
            # an @overload decorator belongs to the definition below it
            while index and lines[index - 1].strip() == "@overload":
                index -= 1
            lines[index:index] = new
            return
    raise SystemExit(f"no place for {key!r} in moto/backends.py ({pattern})")


def update_backends_typing(out: Path) -> None:
    path = out / "moto" / "backends.py"
    text = path.read_text()
    if f"Literal['{SERVICE}']" in text:
        return
    lines = text.splitlines()
    insert_sorted(
        lines,
        r"^    from moto\.([a-z0-9_]+)\.models import",
        [f"    from moto.{SERVICE}.models import {BACKEND_CLASS}"],
        SERVICE,
    )
    insert_sorted(
        lines,
        r"""^    "Literal\['([a-z0-9_-]+)'\]",""",
        [f"    \"Literal['{SERVICE}']\","],
        SERVICE,
    )
    insert_sorted(
        lines,
        r"""name: "Literal\['([a-z0-9_-]+)'\]\"""",
        [
            "@overload",
            f'def get_backend(name: "Literal[\'{SERVICE}\']") -> "BackendDict[{BACKEND_CLASS}]": ...',
        ],
        SERVICE,
    )
    path.write_text("\n".join(lines) + "\n")
    ruff_format(out, "moto/backends.py")
    add_state_manager_defaults(out)
    commit(
        out,
        "DRS: register the service (backend index, get_backend typing, state-manager defaults)",
    )


def add_state_manager_defaults(out: Path) -> None:
    """The ``drs::*`` default transitions where moto registers its own (moto/moto_api/__init__.py),
    from the plugin's ``registration.STATE_MANAGER_DEFAULTS``."""
    sys.path.insert(0, str(ROOT))
    from moto_drs.registration import STATE_MANAGER_DEFAULTS

    path = out / "moto" / "moto_api" / "__init__.py"
    text = path.read_text()
    if f'"{SERVICE}::' in text:
        return
    calls = "".join(
        f"state_manager.register_default_transition(\n"
        f"    model_name={name!r}, transition={transition!r}\n)\n"
        for name, transition in STATE_MANAGER_DEFAULTS.items()
    )
    path.write_text(text.rstrip() + "\n" + calls.replace("'", '"'))
    ruff_format(out, "moto/moto_api/__init__.py")


def register_cloudformation_types(out: Path) -> None:
    """moto's CloudFormation finds resource types among the models its parsing.py imports: add
    DRS's, which define the AWS::DRS::* types (moto/drs/models/cloudformation.py)."""
    path = out / "moto" / "cloudformation" / "parsing.py"
    line = f"from moto.{SERVICE} import models as {SERVICE}_models  # noqa"
    lines = path.read_text().splitlines()
    if line in lines:
        return
    insert_sorted(
        lines, r"^from moto\.([a-z0-9_]+) import models as \w+  # noqa", [line], SERVICE
    )
    path.write_text("\n".join(lines) + "\n")
    ruff_format(out, "moto/cloudformation/parsing.py")
    commit(out, "DRS: the AWS::DRS::* resource types in moto's CloudFormation")


# -- the Moto API: seeding and simulation endpoints -------------------------------------------


def add_moto_api(out: Path) -> None:
    """The plugin's ``/moto-api/static/drs/...`` endpoints as a module of moto's Moto API.

    ``moto_drs/moto_api.py`` (endpoints) and the Python functions they call (``seeding.py``,
    and the simulation modules it names) become ``moto/moto_api/_internal/drs/``; their
    relative imports of the service become ``moto.drs``. The URL table gains the same paths.
    What only the plugin needs is left out: the ``server_mode`` routing (upstream, tests call
    the endpoints; ``plugin_routing_removed``) and the fault and quota endpoints."""
    package = out / "moto" / "moto_api" / "_internal" / SERVICE
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    plugin = ROOT / "moto_drs"
    sources = {"moto_api.py": "endpoints.py"}
    for name in upstream_api_modules():
        sources[f"{name}.py"] = f"{name}.py"
    for source, target in sources.items():
        text = plugin_routing_removed((plugin / source).read_text())
        text = re.sub(r"from \.drs(\.| import)", r"from moto.drs\1", text)
        text = text.replace("from .moto_api import", "from .endpoints import")
        (package / target).write_text(text)
    (package / "__init__.py").write_text(
        '"""DRS seeding and simulation behind /moto-api/static/drs/ (what the replication\n'
        'agent and the outside world do in real DRS; DRS has no public create call)."""\n'
    )
    urls = out / "moto" / "moto_api" / "_internal" / "urls.py"
    text = urls.read_text()
    if f"from .{SERVICE}.endpoints import" not in text:
        text = text.replace(
            "from .responses import MotoAPIResponse",
            "from .responses import MotoAPIResponse\n"
            f"from .{SERVICE}.endpoints import URL_PATHS as {SERVICE.upper()}_URL_PATHS",
        )
        text = text.rstrip() + f"\nurl_paths.update({SERVICE.upper()}_URL_PATHS)\n"
        urls.write_text(text)
    ruff_format(
        out, f"moto/moto_api/_internal/{SERVICE}", "moto/moto_api/_internal/urls.py"
    )
    commit(out, "DRS: seeding and simulation endpoints under /moto-api/static/drs/")


def upstream_api_modules() -> list[str]:
    """Plugin modules the endpoints import (``from .X import``), except plugin-only ones."""
    text = (ROOT / "moto_drs" / "moto_api.py").read_text()
    names = set(re.findall(r"from \.([a-z_]+) import", text))
    return sorted(names - {"drs", "faults", "moto_api", "server_mode"})


def plugin_routing_removed(text: str) -> str:
    """A seeding or endpoint module without the plugin's server-mode routing and fault glue.

    In the plugin each public seeding function is wrapped with ``@over_http`` (in server mode it
    asks the test server) and the endpoints call the unwrapped ``local(function)``; upstream the
    functions are plain and tests reach the endpoints over HTTP. The fault and quota endpoints
    (``_faults_glue``) stay in the plugin."""
    text = re.sub(r"^@over_http\(.*\)\n", "", text, flags=re.M)
    text = re.sub(r"^\s*from \.server_mode import .*\n", "", text, flags=re.M)
    text = re.sub(r"\blocal\((\w+)\)", r"\1", text)
    text = re.sub(
        r"\nIn moto's server mode \(``TEST_SERVER_MODE=true``\).*?\(``server_mode\.over_http``\)\.",
        "",
        text,
        flags=re.S,
    )
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.FunctionDef) and node.name == "_faults_glue":
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            del lines[start : node.end_lineno]
    text = "".join(line for line in lines if "_faults_glue(" not in line)
    leftovers = re.findall(r"\b(over_http|server_mode|_faults_glue|faults)\b", text)
    if leftovers:
        raise SystemExit(
            f"plugin routing left in a Moto API module: {sorted(set(leftovers))}"
        )
    return text


# -- tests ----------------------------------------------------------------------------------


def add_tests(out: Path) -> list[str]:
    """tests/test_drs in moto's style: ``mock_aws``, no plugin imports, server-mode guards.

    The plugin's public seeding functions become ``tests/test_drs/seeding.py``, which reaches
    the Moto API endpoints over HTTP (``motoapi.amazonaws.com`` in process, the server under
    TEST_SERVER_MODE), so the same tests run in both of moto's CI passes."""
    target = out / "tests" / "test_drs"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / "__init__.py").write_text("")
    copied = []
    tests = ROOT / "tests"
    for path in sorted(tests.glob("*.py")):
        if path.name in PLUGIN_ONLY_TESTS:
            continue
        text = convert_test(path.read_text())
        foreign = [
            name
            for name in NOT_IN_MOTO_TEST_REQUIREMENTS
            if re.search(rf"^\s*(import|from) {name}\b", text, flags=re.M)
        ]
        if foreign:
            raise SystemExit(
                f"tests/{path.name} imports {foreign}, which moto's test requirements "
                "do not have: list it in PLUGIN_ONLY_TESTS or drop the import"
            )
        (target / path.name).write_text(text)
        copied.append(path.name)
    (target / "seeding.py").write_text(seeding_client())
    ruff_format(out, "tests/test_drs")
    commit(out, "DRS: tests (tests/test_drs), in process and under TEST_SERVER_MODE")
    return copied


def convert_test(text: str) -> str:
    """The plugin's imports become the port's: moto's own modules and ``seeding.py``."""
    rules = [
        (r"^(\s*)from (shape_check|conftest|test_\w+) import", r"\1from .\2 import"),
        (r"^(\s*)import (shape_check|conftest)$", r"\1from . import \2"),
        (r"^import moto_drs$", "from . import seeding as moto_drs"),
        (r"^from moto_drs import mock_drs$", "from moto import mock_aws as mock_drs"),
        (r"^(\s*)from moto_drs\.drs(\.| import)", r"\1from moto.drs\2"),
        # the plugin's registration, which moto does not need
        (r"^(\s+)import moto_drs\n", ""),
        (r"^(\s*)moto_drs\.register\(\)\n", ""),
        (r"\"moto_drs\.server\"", '"moto.server"'),
    ]
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text, flags=re.M)
    return text


def seeding_client() -> str:
    """The port's stand-in for ``moto_drs``'s public functions, generated from the plugin's own
    routing table (``moto_drs/server_mode.py``'s ROUTES): each calls its Moto API endpoint over
    HTTP, at ``motoapi.amazonaws.com`` in process (moto's mock answers it) or at the server under
    TEST_SERVER_MODE, as moto's tests reach other ``/moto-api/static/`` endpoints. In process
    without ``mock_aws`` (the ``server`` fixture: a ThreadedMotoServer of the test process)
    nothing intercepts that host, so the endpoint's function runs in the process, on the backends
    that server serves, as the plugin's own functions do. Fault injection and quota overrides are
    plugin features: tests that use them are skipped."""
    import inspect

    sys.path.insert(0, str(ROOT))
    import moto_drs.faults  # noqa: F401  (registers its routes)
    import moto_drs.seeding  # noqa: F401
    from moto_drs.server_mode import ROUTES, SPECIAL_NAMES, WHOLE_ANSWER

    ported = {
        name: route
        for name, route in ROUTES.items()
        if route[0] not in PLUGIN_ONLY_PATHS
    }
    modules = sorted(
        {route[3].__module__.rpartition(".")[2] for route in ported.values()}
    )
    lines = [
        '"""The DRS seeding and simulation endpoints of the Moto API, called over HTTP',
        "",
        "Generated by moto-drs's scripts/upstream.py from the plugin's routing table; the same",
        'functions the plugin offers in Python, so that the tests read alike."""',
        "",
        "from datetime import datetime",
        "from typing import Any",
        "",
        "import pytest",
        "import requests",
        "from botocore import xform_name",
        "from moto import settings",
        "from moto.core.exceptions import ServiceException",
        "from moto.core.models import MockAWS",
        "",
        "from moto import drs  # noqa: F401  (tests name moto_drs.drs.exceptions)",
        "from moto.drs import exceptions",
        *(
            f"from moto.moto_api._internal.{SERVICE} import {module} as _{module}"
            for module in modules
        ),
        "",
        f"SPECIAL_NAMES = {SPECIAL_NAMES!r}",
        "",
        "",
        "def _camel(name: str) -> str:",
        "    if name in SPECIAL_NAMES:",
        "        return SPECIAL_NAMES[name]",
        '    first, *rest = name.split("_")',
        '    return first + "".join(part.capitalize() for part in rest)',
        "",
        "",
        "def _base_url() -> str:",
        "    if settings.TEST_SERVER_MODE:",
        '        return settings.test_server_mode_endpoint().rstrip("/")',
        '    return "http://motoapi.amazonaws.com"',
        "",
        "",
        "def _in_this_process() -> bool:",
        '    """No mock_aws and no TEST_SERVER_MODE: the ``server`` fixture, a ThreadedMotoServer',
        "    of this process, whose backends the endpoint's function reaches directly (nothing",
        '    intercepts motoapi.amazonaws.com without the mock)."""',
        "    return not settings.TEST_SERVER_MODE and not MockAWS._mocks_active",
        "",
        "",
        "def _jsonable(value: Any) -> Any:",
        "    if isinstance(value, datetime):",
        "        return value.isoformat()",
        "    if isinstance(value, dict):",
        "        return {key: _jsonable(item) for key, item in value.items()}",
        "    if isinstance(value, (list, tuple, set)):",
        "        return [_jsonable(item) for item in value]",
        "    return value",
        "",
        "",
        "def _call(path: str, method: str, arguments: dict[str, Any], result: Any) -> Any:",
        '    url = f"{_base_url()}/moto-api/static/drs/{path}"',
        "    payload = {",
        "        key: _jsonable(value) for key, value in arguments.items() if value is not None",
        "    }",
        '    if method in ("GET", "DELETE"):',
        "        response = requests.request(method, url, params=payload, timeout=60)",
        "    else:",
        "        response = requests.request(method, url, json=payload, timeout=60)",
        "    body = response.json() if response.content else {}",
        "    if response.status_code >= 400:",
        '        cls = getattr(exceptions, str(body.get("code")), None)',
        "        if not (isinstance(cls, type) and issubclass(cls, ServiceException)):",
        '            raise RuntimeError(f"{response.status_code}: {body!r}")',
        "        error = cls.__new__(cls)",
        '        ServiceException.__init__(error, str(body.get("message", "")))',
        "        for name, value in body.items():",
        '            if name not in ("code", "message"):',
        "                setattr(error, xform_name(name), value)",
        "        raise error",
        f"    if result == {WHOLE_ANSWER!r}:",
        "        return body",
        "    return body.get(result) if result is not None else None",
        "",
    ]
    for name, (path, method, result, func) in sorted(ROUTES.items()):
        signature = inspect.signature(func)
        params = []
        for parameter in signature.parameters.values():
            if parameter.default is inspect.Parameter.empty:
                params.append(f"{parameter.name}: Any")
            else:
                params.append(f"{parameter.name}: Any = {parameter.default!r}")
        lines += ["", f"def {name}({', '.join(params)}) -> Any:"]
        if name not in ported:
            lines.append(
                f'    pytest.skip("{path} are a moto-drs plugin feature, not part of moto")'
            )
            continue
        module = func.__module__.rpartition(".")[2]
        keywords = ", ".join(f"{p}={p}" for p in signature.parameters)
        lines += [
            "    if _in_this_process():",
            f"        return _{module}.{name}({keywords})",
        ]
        names = getattr(func, "http_names", {})
        arguments = ", ".join(
            f'"{names.get(p.name) or _camel_name(p.name, SPECIAL_NAMES)}": {p.name}'
            for p in signature.parameters.values()
        )
        lines.append(
            f'    return _call("{path}", "{method}", {{{arguments}}}, {result!r})'
        )
    return "\n".join(lines) + "\n"


def _camel_name(name: str, special: dict[str, str]) -> str:
    if name in special:
        return special[name]
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


# -- docs, coverage, changelog ------------------------------------------------------------------


def operations() -> tuple[list[str], list[str]]:
    import boto3
    from botocore import xform_name

    sys.path.insert(0, str(ROOT))
    from moto_drs.drs.models import DrsBackend

    names = sorted(
        xform_name(op)
        for op in boto3.client(
            "drs", region_name="us-east-1"
        ).meta.service_model.operation_names
    )
    implemented = [name for name in names if hasattr(DrsBackend, name)]
    return names, implemented


def add_docs(out: Path, version: str) -> None:
    names, implemented = operations()
    percentage = int(100 * len(implemented) / len(names))
    title = SERVICE
    rst = [
        f".. _implementedservice_{SERVICE}:",
        "",
        ".. |start-h3| raw:: html",
        "",
        "    <h3>",
        "",
        ".. |end-h3| raw:: html",
        "",
        "    </h3>",
        "",
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        f".. autoclass:: moto.{SERVICE}.models.{BACKEND_CLASS}",
        "",
        "|start-h3| Implemented features for this service |end-h3|",
        "",
    ]
    rst += [f"- [{'X' if n in implemented else ' '}] {n}" for n in names]
    docs = out / "docs" / "docs" / "services"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / f"{SERVICE}.rst").write_text("\n".join(rst) + "\n\n")

    section = [
        f"## {SERVICE}",
        "<details>",
        f"<summary>{percentage}% implemented</summary>",
        "",
    ]
    section += [f"- [{'X' if n in implemented else ' '}] {n}" for n in names]
    section += ["</details>"]
    coverage = out / "IMPLEMENTATION_COVERAGE.md"
    lines = coverage.read_text().splitlines() if coverage.exists() else []
    lines = [line for line in lines if line.strip() != f"- {SERVICE}"]
    position = next(
        (
            i
            for i, line in enumerate(lines)
            if line.startswith("## ")
            and (line[3:] > SERVICE or line.startswith("## Unimplemented"))
        ),
        len(lines),
    )
    lines[position:position] = [*section, ""]
    coverage.write_text("\n".join(lines) + "\n")

    changelog = out / "CHANGELOG.md"
    entry = (
        "New Services:\n"
        f"    * DRS (Elastic Disaster Recovery): all {len(names)} operations, with source server\n"
        "      seeding and replication simulation under /moto-api/static/drs/\n"
    )
    if changelog.exists():
        text = changelog.read_text()
        head, _, rest = text.partition("\n\n")
        changelog.write_text(f"{head}\n\nUnreleased\n-----\n{entry}\n{rest}")
    else:
        changelog.write_text(
            f"Moto Changelog\n==============\n\nUnreleased\n-----\n{entry}"
        )
    commit(out, "DRS: docs page, implementation coverage and changelog")


def write_patches(out: Path, base: str) -> Path:
    patches = out / "patches"
    if patches.exists():
        shutil.rmtree(patches)
    git(out, "format-patch", "-q", "-o", str(patches), base)
    return patches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto-src", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--check",
        action="store_true",
        help="then lint, type-check and test the port in a fresh virtualenv",
    )
    args = parser.parse_args(argv)
    out = args.out.resolve()
    version = prepare(args.moto_src.resolve(), out)
    base = git(out, "rev-parse", "HEAD").strip()
    git(out, "tag", "-f", BASE_TAG, base)  # what check_upstream.py diffs against
    core = add_core_changes(out)
    add_service(out)
    update_backend_index(out)
    update_backends_typing(out)
    register_cloudformation_types(out)
    add_moto_api(out)
    tests = add_tests(out)
    add_docs(out, version)
    patches = write_patches(out, base)
    log = git(out, "log", "--oneline", f"{base}..HEAD")
    print(f"moto {version}: branch {BRANCH!r} in {out}, patches in {patches}")
    print(f"core changes: {core or 'none'}; test files: {len(tests)}")
    print(log)
    if args.check:
        from check_upstream import check  # type: ignore[import-not-found]

        return check(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
