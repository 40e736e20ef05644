"""The adapter conformance suite as a pytest plugin.

Put the suite in a test module of your project (one test per check, against the adapter's simulator)::

    # tests/test_conformance.py
    from kyso.conformance.pytest_plugin import conformance_tests, kyso_conformance_harness  # noqa: F401

    test_myplatform_conforms = conformance_tests("myplatform")

This module is registered with pytest through the ``pytest11`` entry point ``kyso-conformance`` of the ``kyso``
distribution, so installing Kyso is enough to get the fixture and the ``--kyso-base-url URL`` option (a staging
platform instead of the simulator; the checks that need the simulator's control API are then skipped, and the round
trips sign the items the tester seeded for ``--kyso-user NAME``: docs/conformance.md). A skipped check is a pytest
skip: the suite is then not assessed, whatever the pass count says.

Fixtures: ``kyso_conformance_harness(name_or_info)`` gives a :class:`~kyso.conformance.checks.Harness` (simulator
started once per session and adapter, the ``kyso_pki`` test PKI of :mod:`kyso.testing.plugin`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kyso-conformance", "Kyso adapter conformance suite")
    group.addoption("--kyso-base-url", metavar="URL", help="a staging platform instead of the adapter's simulator")
    group.addoption(
        "--kyso-user",
        metavar="NAME",
        default="kyso-conformance",
        help="the staging platform's user whose seeded items the round trips sign (docs/conformance.md)",
    )


def _info(adapter: Any) -> Any:
    from kyso.adapters.registry import adapter_registry
    from kyso.core.adapter import AdapterInfo

    return adapter if isinstance(adapter, AdapterInfo) else adapter_registry().get(str(adapter))


@pytest.fixture(scope="session")
def kyso_conformance_harness(
    kyso_pki: Any, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Callable[[Any], Any]]:
    """``harness(adapter)``: the conformance harness of an adapter (a name or an ``AdapterInfo``), one per session."""
    from kyso.conformance.runner import harness_for

    harnesses: dict[str, Any] = {}
    base_url = request.config.getoption("--kyso-base-url", default=None)
    with ExitStack() as stack:

        def get(adapter: Any) -> Any:
            info = _info(adapter)
            if info.name not in harnesses:
                harnesses[info.name] = stack.enter_context(
                    harness_for(
                        info,
                        base_url=base_url,
                        user=request.config.getoption("--kyso-user", default="kyso-conformance"),
                        pki=kyso_pki,
                        workdir=tmp_path_factory.mktemp(f"conformance-{info.name}"),
                    )
                )
            return harnesses[info.name]

        yield get


def conformance_tests(adapter: Any) -> Any:
    """A parametrized test function running each check of the suite on ``adapter`` (a name or an ``AdapterInfo``)."""
    from kyso.conformance.checks import all_checks

    checks = dict(all_checks(_info(adapter)))

    @pytest.mark.parametrize("check", list(checks))
    def test_conformance(check: str, kyso_conformance_harness: Callable[[Any], Any]) -> None:
        from kyso.conformance.runner import run_check

        result = run_check(kyso_conformance_harness(adapter), check, checks[check])
        if result.outcome == "skipped":
            pytest.skip(result.detail_text("en"))
        if result.outcome == "failed":
            pytest.fail(f"{check}: {result.detail_text('en')}", pytrace=False)

    return test_conformance


__all__ = ["conformance_tests", "kyso_conformance_harness", "pytest_addoption"]
