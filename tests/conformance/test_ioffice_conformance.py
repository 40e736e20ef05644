"""The conformance suite, run as a pytest plugin on the built-in iOffice adapter (one test per check)."""

from kyso.conformance.pytest_plugin import conformance_tests

test_ioffice_conforms = conformance_tests("ioffice")
