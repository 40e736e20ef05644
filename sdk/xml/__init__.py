"""Generic XML documents (and Vietnamese e-invoices) signed and verified with Kyso's XML-DSig engine
(:mod:`kyso.xmldsig`): the ``xml`` format of ``kyso sign`` / ``kyso verify`` / ``kyso.sign`` / ``kyso.verify``.

- :mod:`kyso.xml.plugin`: the format (registered last: edXML and other XML formats are sniffed first) and its
  options (``xml_form``, ``xml_id``, ``xml_placement``, ``xml_into``, ``profile``; ``trust_key``,
  ``detached_content``), declared as data;
- :mod:`kyso.xml.signing`: what the options mean (placement, the bounded ``xml_into`` path, XAdES levels);
- :mod:`kyso.xml.einvoice`: the e-invoice profile (Nghị định 123/2020/NĐ-CP, Thông tư 78/2021/TT-BTC);
- :func:`verified_elements`: what a document's valid signatures sign, as copies, never the document as given.
"""

from __future__ import annotations

from kyso.xml.api import verified_elements

__all__ = ["verified_elements"]
