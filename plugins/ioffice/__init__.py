"""Adapter for iOffice-style document-management platforms (QLVB&ĐH).

- :mod:`kyso_ioffice.adapter`: the mapping between the platform's REST API and :mod:`kyso.core.adapter`;
- :mod:`kyso_ioffice.workflow`: outgoing dispatch as a signed edXML package, incoming packages verified, answered
  with a status packet and registered for the income mark;
- :mod:`kyso.testing.simulators.ioffice`: a simulator of the platform (``kyso simulate ioffice --port N``).

Registered through the entry point ``ioffice`` of group ``kyso`` (:mod:`kyso_ioffice.plugin`), exactly like a
third-party adapter. Light to import: ``requests`` and ``werkzeug`` load on first use.
"""
