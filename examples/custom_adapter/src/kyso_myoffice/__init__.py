"""Kyso adapter for "MyOffice", a provincial document-management platform: a TEMPLATE to copy and adapt.

- :mod:`kyso_myoffice.adapter`: the mapping between MyOffice's REST API and :mod:`kyso.core.adapter` (edit this);
- :mod:`kyso_myoffice.simulator`: a small simulator of MyOffice, for your tests and ``kyso conformance``;
- :mod:`kyso_myoffice.plugin`: registers both with Kyso (``kyso_register_adapters``).
"""
