"""PDF signing and verification (PAdES) with pyHanko.

- :mod:`kyso.pdf.signing`: *how* a PDF signature is written (pyHanko ``PdfSigner``), given a *what*
  (:class:`kyso.core.models.SignRequest`) and a *who* (any :class:`kyso.core.signer.Signer`).
- :mod:`kyso.pdf.verification`: pyHanko's integrity, coverage and difference analysis mapped to ETSI indications,
  with every certificate validated through the ``kyso_validate_certificate`` hook; the entry point and the order of
  the checks, over :mod:`kyso.pdf.facts` (the file read once), :mod:`kyso.pdf.changes` (coverage and changes after
  signing) and :mod:`kyso.pdf.timestamps` (time-stamps, validation in the past).
- :mod:`kyso.pdf.plugin`: the hook implementations.
- :mod:`kyso.pdf.kinds`: the signature kinds of Nghị định 30/2020 (a built-in plugin); :mod:`kyso.pdf.appearance`
  draws their marks, :mod:`kyso.pdf.kind_attribute` records the kind in the signature and reads it back.
"""
