"""Remote signing: the key lives on a service, the user confirms on a phone (issue 11, item 2).

- :mod:`kyso.signers.remote.http`: JSON over HTTP within Kyso's bounds (total deadline, size cap, no redirect
  with credentials), one typed error for every way a service fails;
- :mod:`kyso.signers.remote.confirm`: :class:`~kyso.signers.remote.confirm.RemoteSigner` (the ``Signer`` with
  ``sign_digests``: every returned value verified against the certificate) and the polling of an asynchronous
  confirmation (backoff, deadline, cancel);
- :mod:`kyso.signers.remote.csc`: a Cloud Signature Consortium API client, v1 and v2 (``--signer csc``);
- :mod:`kyso.signers.remote.smartca`: VNPT SmartCA, SP769 shape (``--signer smartca``);
- :mod:`kyso.signers.remote.mysign`: Viettel MySign, CSC-shaped with asynchronous transactions (``--signer
  mysign``);
- :mod:`kyso.signers.remote.plugin`: the three backends, registered through ``kyso_register_signers``.

Base URLs and credentials are configuration; the tests play the services on 127.0.0.1
(:mod:`kyso.testing.simulators.remote`, certomancer-csc-dummy) and contact nothing real.
"""
