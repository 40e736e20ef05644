"""``kyso serve``: the validation service for provincial systems, văn thư and citizens.

One HTTP service (Starlette on uvicorn, several worker processes) answers what ``kyso verify`` and
``kyso cert validate`` answer: ``/api/v1/...`` for systems (API keys, rate limits, audit), a DSS-compatible
``/services/rest/validation/validateSignature``, and ``/`` a page in Vietnamese for people. Needs the ``serve``
extra (``pip install kyso[serve]``); docs/service.md describes the configuration.

Modules: :mod:`~kyso.service.config` (the configuration file), :mod:`~kyso.service.store` (API keys, rate
windows and the audit table in SQLite or PostgreSQL), :mod:`~kyso.service.validating` (running one validation
within the service's limits), :mod:`~kyso.service.dss` (the SimpleReport mapping), :mod:`~kyso.service.app` (the
ASGI application), :mod:`~kyso.service.cli` (the commands).
"""
