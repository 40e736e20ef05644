"""The Kyso conformance suite on this adapter: one test per check, against the MyOffice simulator.

Run: ``pytest`` (with Kyso installed, the test PKI fixture ``kyso_pki`` comes with it).
"""

from kyso.conformance.pytest_plugin import conformance_tests

test_myoffice_conforms = conformance_tests("myoffice")
