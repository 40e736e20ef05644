"""The conformance suite, run as a pytest plugin on the built-in one-stop-shop adapter (one test per check)."""

from kyso.conformance.pytest_plugin import conformance_tests

test_onegate_conforms = conformance_tests("onegate")
