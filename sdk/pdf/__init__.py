"""PDF signing and verification (PAdES) with pyHanko.

- :mod:`sdk.pdf.signing`: *how* a PDF signature is written (pyHanko ``PdfSigner``), given a *what*
  (:class:`sdk.core.models.SignRequest`) and a *who* (any :class:`sdk.core.signer.Signer`).
- :mod:`sdk.pdf.verification`: pyHanko's integrity, coverage and difference analysis mapped to ETSI indications,
  with every certificate validated through the ``kyso_validate_certificate`` hook.
- :mod:`sdk.pdf.plugin`: the hook implementations.
"""
