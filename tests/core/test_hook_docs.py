"""docs/plugin-hooks.md documents every hook of kyso.core.spec with its exact signature (the datasette pattern)."""

from __future__ import annotations

import inspect
import re
import textwrap
import types
from pathlib import Path

import pytest

from kyso.core import NAME, spec
from kyso.core.manager import PluginManager

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin-hooks.md"
HEADING = re.compile(r"^#{2,4} (kyso_\w+)\(([^)]*)\)\s*$", re.MULTILINE)
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def hookspecs() -> dict[str, list[str]]:
    """Every hook specification: name -> argument names, in order."""
    return {
        name: list(inspect.signature(function).parameters)
        for name, function in inspect.getmembers(spec, inspect.isfunction)
        if getattr(function, f"{NAME}_spec", None) is not None
    }


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def documented(doc: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for name, arguments in HEADING.findall(doc):
        assert name not in result, f"{name} is documented twice"
        result[name] = [a.strip() for a in arguments.split(",") if a.strip()]
    return result


def test_spec_has_the_mission_hooks():
    assert {"kyso_sign", "kyso_verify", "kyso_validate_certificate"} <= set(hookspecs())


@pytest.mark.parametrize("hook", sorted(hookspecs()))
def test_hook_is_documented_with_its_arguments(hook: str, documented: dict[str, list[str]]):
    assert hook in documented, f"{hook} is missing from docs/plugin-hooks.md (add a '### {hook}(...)' heading)"
    assert documented[hook] == hookspecs()[hook], f"the arguments of {hook} differ between the doc and kyso.core.spec"


def test_no_documented_hook_is_stale(documented: dict[str, list[str]]):
    assert set(documented) <= set(hookspecs()), "docs/plugin-hooks.md documents hooks that no longer exist"


@pytest.mark.parametrize("hook", sorted(hookspecs()))
def test_hook_section_has_an_example(hook: str, doc: str):
    heading = next((m for m in HEADING.finditer(doc) if m.group(1) == hook), None)
    assert heading is not None, f"{hook} has no heading"
    following = HEADING.search(doc, heading.end())
    section = doc[heading.end() : following.start() if following else len(doc)]
    assert f"def {hook}(" in section, f"the section of {hook} has no example implementation"


def test_examples_are_valid_plugins(doc: str):
    """Every example compiles; those that implement hooks register without a validation error."""
    blocks = PYTHON_BLOCK.findall(doc)
    assert blocks
    for number, source in enumerate(blocks, start=1):
        code = compile(textwrap.dedent(source), f"<docs/plugin-hooks.md example {number}>", "exec")
        if "@hookimpl" not in source:
            continue
        module = types.ModuleType(f"doc_example_{number}")
        exec(code, module.__dict__)
        pm = PluginManager(load_entry_points=False)
        pm.register(module, name=module.__name__)  # PluginError if a hook or an argument is misspelled
        hooks = {h for p in pm.list_plugins() if p["name"] == module.__name__ for h in p["hooks"]}
        assert hooks, f"example {number} implements no hook"
