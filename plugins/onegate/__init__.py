"""Adapter for one-stop-shop platforms (Một cửa điện tử), shaped on OpenCPS's REST API.

- :mod:`kyso_onegate.adapter`: dossier files (results, receipts, electronic copies) <-> :mod:`kyso.core.adapter`;
- :mod:`kyso_onegate.qr`: the QR code on a result, linking to the platform's public verification page;
- :mod:`kyso.testing.simulators.onegate`: a simulator of the platform (``kyso simulate onegate --port N``).

Registered through the entry point ``onegate`` of group ``kyso`` (:mod:`kyso_onegate.plugin`).
"""
