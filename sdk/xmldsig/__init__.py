"""The XML-DSig engine: hardened XML reading, canonicalisation, enveloped signing, and verification that judges
only what was signed. Every XML format of Kyso uses it; edXML (``kyso_edxml.dsig``) is a mapping onto it (where
the signature goes, which ``Signature`` elements count), and a generic XML format can be another.

- :mod:`kyso.xmldsig.xmlsafe`: the hardened parser (no DTD, no entity, nothing loaded, bounded) and the element
  helpers;
- :mod:`kyso.xmldsig.c14n`: C14N 1.0 digests streamed into the hash, big texts kept out of libxml2;
- :mod:`kyso.xmldsig.policy`: which algorithms, transforms and references are accepted, their bounds, and the
  :class:`~kyso.xmldsig.policy.Profile` a format fills in;
- :mod:`kyso.xmldsig.signing`: :func:`~kyso.xmldsig.signing.sign_enveloped` through the ``Signer`` protocol;
- :mod:`kyso.xmldsig.verification`: :func:`~kyso.xmldsig.verification.verify_tree_report`, ETSI order, the
  certificate through the ``kyso_validate_certificate`` hook.

Light to import: lxml and cryptography load in the submodules, on first use.
"""
