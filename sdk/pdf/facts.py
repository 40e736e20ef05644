"""Facts about one signed PDF, read once per file: its signature fields, one per distinct signature, pyHanko's view
of each, page counts, the document security store (DSS) and the bytes no revision explains.

Everything per file is computed here once; per signature, only what pyHanko does anyway. The rules these facts
serve (:mod:`kyso.pdf.changes`, :mod:`kyso.pdf.timestamps`) judge them. The rules of this file:

- a signature dictionary shared by many fields is analysed once, under its first field, and the other fields are
  named in its report (issue 9, parser costs: 800 fields pointing at one dictionary took 44 s);
- bytes after the end of the last revision are measured from the cross-reference chain, not from the last
  ``%%EOF`` (appended-bytes attack; :mod:`kyso.pdf.changes` makes such a coverage PARTIAL);
- a filled field pyHanko cannot load is a FORMAT_FAILURE report of its own instead of hiding the others, and a
  legacy ``adbe.x509.rsa_sha1`` one is INDETERMINATE (not a format Kyso verifies), never TOTAL_FAILED;
- the DSS certificates complete the chains of LT/LTA signatures and time-stamps, and its OCSP responses and CRLs
  are checked like fetched ones (offline validation of B-LT / B-LTA).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from kyso.certs.parsing import parse_certificate
from kyso.core.models import CertificateValidator, Indication, SignatureReport, SubIndication, VerifyOptions

_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


@dataclasses.dataclass
class FileFacts:
    """What every signature of one file needs, read once per file."""

    data: bytes
    reader: Any
    options: VerifyOptions
    validate: CertificateValidator
    signature_fields: set[str]
    dss_certificates: tuple[bytes, ...]
    dss_revision: int | None
    """First revision holding a document security store (/DSS), if any."""
    timestamp_revisions: list[int]
    page_count: int | None
    trailing_bytes: int
    """Bytes after the end of the last revision that are not whitespace: appended outside of any revision."""
    signed_revisions: dict[tuple[int, int], int] = dataclasses.field(default_factory=dict)
    """Reference of each signature dictionary of the file -> the revision its signature covers."""
    widgets: list[Any] | None = None
    """Visible annotations of the last revision (``kyso.pdf.overlays``), read on first use."""

    def pages_at(self, revision: int) -> int | None:
        """The page count of ``revision``, or None when it cannot be read."""
        try:
            return int(self.reader.get_historical_resolver(revision).root["/Pages"]["/Count"])
        except Exception:
            return None


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[")
_PRELOADED = 64
"""Signature dictionaries parsed ahead per file (real documents carry a handful)."""


def preload_signature_dictionaries(reader: Any, data: bytes) -> None:
    """Put each signature dictionary of the file in pyHanko's object cache, its /Contents decoded at C speed.

    Why: pyHanko reads a hex string one byte at a time, two Python calls per digit: the 10-30 kB of a signature's
    /Contents were half the time of a verification. Here the dictionary is parsed by pyHanko's own parser from the
    same bytes, only with the hex string cut out, and the string is decoded with ``bytes.fromhex``. It applies
    only where both readings are the same by construction: an object at the offset the cross-reference table
    gives, one /Contents that is exactly one hex string of hex digits (the geometry rule's tokenizer,
    :func:`kyso.pdf.byterange.signature_entries`, which refuses duplicate keys), ``endobj`` right after the
    dictionary. Anything else is left to pyHanko, which then reads it as before."""
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.xref import read_object_header

    from kyso.pdf import byterange

    for count, found in enumerate(_BYTE_RANGE.finditer(data)):
        if count >= _PRELOADED:
            return
        try:
            at = byterange.enclosing_object(data, found.start())
            header = _HEADER.match(data, at)
            if header is None:
                continue
            idnum, generation = int(header.group(1)), int(header.group(2))
            ref = generic.Reference(idnum, generation, reader)
            if reader.xrefs[ref] != at or reader.cache_get_indirect_object(generation, idnum) is not None:
                continue
            (start, end), _, closed = byterange.signature_entries(data, at)
            value = data[start:end]
            if not (value[:1] == b"<" and value[-1:] == b">" and _HEX.fullmatch(value, 1, len(value) - 1)):
                continue
            if len(value) % 2 or not data[closed:].lstrip(_PDF_WHITESPACE).startswith(b"endobj"):
                continue
            stream = BytesIO(data[at:start] + b"<>" + data[end:closed])
            read_object_header(stream, strict=False)
            dictionary = generic.read_object(stream, generic.Reference(idnum, generation, reader))
            if not isinstance(dictionary, generic.DictionaryObject) or isinstance(dictionary, generic.StreamObject):
                continue
            dictionary[generic.NameObject("/Contents")] = generic.pdf_string(bytes.fromhex(value[1:-1].decode()))
            reader.cache_indirect_object(generation, idnum, dictionary)
        except Exception:  # whatever this reading trips over, pyHanko reads the object itself
            continue


_HEADER = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]*obj")
_HEX = re.compile(rb"[0-9A-Fa-f]*")


def signature_fields(reader: Any) -> Any:
    """(names of all signature fields, the filled ones as pyHanko lists them), or ``raw.Unreadable``."""
    from pyhanko.sign.fields import enumerate_sig_fields

    from kyso.pdf import raw

    try:
        # pyHanko reads the trailer lazily: touch it here so that a damaged one lands in the raw fallback
        reader.root  # noqa: B018
        fields = list(enumerate_sig_fields(reader))
    except Exception as exc:
        return raw.Unreadable(f"signature fields cannot be read: {exc.__class__.__name__}")
    return {str(name) for name, _, _ in fields}, [(name, field) for name, value, field in fields if value is not None]


def distinct_signatures(filled: list[tuple[Any, Any]]) -> tuple[list[tuple[Any, Any]], dict[str, list[str]]]:
    """The filled fields with one field per signature dictionary, and the names of the other fields holding each.

    Kyso rule (issue 9, parser costs): 800 fields pointing at one signature dictionary (71 KB) took 44 s to verify,
    each field analysed as a signature of its own. A signature is analysed once, under its first field; the other
    fields are named in its report."""
    from pyhanko.pdf_utils import generic

    first: dict[Any, str] = {}
    kept: list[tuple[Any, Any]] = []
    copies: dict[str, list[str]] = {}
    for name, field in filled:
        try:
            value = field.get_object().raw_get("/V")
            key: Any = (value.idnum, value.generation) if isinstance(value, generic.IndirectObject) else id(value)
        except Exception:
            key = id(field)
        if key in first:
            copies.setdefault(first[key], []).append(str(name))
            continue
        first[key] = str(name)
        kept.append((name, field))
    return kept, copies


def embedded_signatures(reader: Any, filled: list[tuple[Any, Any]]) -> list[Any]:
    """pyHanko's view of each filled signature field, in signing order; a field pyHanko cannot load becomes a
    FORMAT_FAILURE report instead of hiding the others."""
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    loaded: list[Any] = []
    for name, field in filled:
        try:
            loaded.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as exc:
            broken = SignatureReport(
                id=str(name), indication=Indication.TOTAL_FAILED, sub_indication=SubIndication.FORMAT_FAILURE
            )
            if _subfilter(field) == "/adbe.x509.rsa_sha1":
                # a legacy PKCS#1 signature is not broken, just not a format Kyso verifies: never TOTAL_FAILED
                broken.indication = Indication.INDETERMINATE
                broken.messages.append("adbe.x509.rsa_sha1 (PKCS#1) signatures are not supported")
            else:
                broken.messages.append(f"the signature field holds no readable signature ({exc.__class__.__name__})")
            loaded.append(broken)
    revision = {id(e): getattr(e, "signed_revision", 1 << 30) for e in loaded}
    return sorted(loaded, key=lambda e: revision[id(e)])


def _subfilter(field: Any) -> str | None:
    try:
        return str(field.get_object()["/V"]["/SubFilter"])
    except Exception:
        return None


def read_facts(
    data: bytes,
    reader: Any,
    options: VerifyOptions,
    validate: CertificateValidator,
    names: set[str],
    embedded: list[Any],
) -> FileFacts:
    """The facts of the file whose signature fields are ``names`` and whose filled ones pyHanko loaded as
    ``embedded``; the options get the DSS's OCSP responses and CRLs as embedded revocation data."""
    facts = FileFacts(
        data=data,
        reader=reader,
        options=options,
        validate=validate,
        signature_fields=names,
        dss_certificates=(),
        dss_revision=None,
        timestamp_revisions=[
            e.signed_revision
            for e in embedded
            if not isinstance(e, SignatureReport) and e.sig_object_type == "/DocTimeStamp"
        ],
        page_count=None,
        trailing_bytes=_unexplained_tail(data, reader),
    )
    facts.page_count = facts.pages_at(reader.xrefs.total_revisions - 1)
    facts.signed_revisions = _signed_revisions(embedded)
    facts.dss_certificates, facts.dss_revision = _dss(reader)
    ocsps, crls = _dss_revocation_data(reader)
    if ocsps or crls:
        # B-LT / B-LTA: the document's own OCSP responses and CRLs, checked like fetched ones (offline validation)
        facts.options = dataclasses.replace(
            options,
            validation=dataclasses.replace(
                options.validation,
                embedded_ocsps=options.validation.embedded_ocsps + ocsps,
                embedded_crls=options.validation.embedded_crls + crls,
            ),
        )
    return facts


def _signed_revisions(embedded: list[Any]) -> dict[tuple[int, int], int]:
    found: dict[tuple[int, int], int] = {}
    for emb in embedded:
        try:
            ref = emb.sig_field.raw_get("/V")
            found[(ref.idnum, ref.generation)] = emb.signed_revision
        except Exception:
            continue
    return found


def _unexplained_tail(data: bytes, reader: Any) -> int:
    """Non-whitespace bytes after the ``%%EOF`` that closes the last revision the cross-reference chain knows.

    Measured from the revisions, not from the last ``%%EOF`` in the file: objects appended after a signature and
    closed with a ``startxref`` to an old cross-reference section and a ``%%EOF`` belong to no revision either."""
    try:
        xrefs = reader.xrefs
        end = max(xrefs.get_xref_container_info(rev).end_location for rev in range(xrefs.total_revisions))
    except Exception:
        end = data.rfind(b"%%EOF")
    eof = data.find(b"%%EOF", max(end, 0))
    if eof < 0:
        return 0
    return len(data[eof + 5 :].replace(b"%%EOF", b"").strip(_PDF_WHITESPACE))


def _dss_revocation_data(reader: Any) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """DER of the OCSP responses and CRLs in the document security store (garbage is left to the validator)."""
    try:
        if "/DSS" not in reader.root:
            return (), ()
        dss = reader.root["/DSS"]
        found = []
        for key in ("/OCSPs", "/CRLs"):
            blobs = []
            for stream in list(dss[key]) if key in dss else []:
                try:
                    blobs.append(stream.get_object().data)
                except Exception:
                    continue
            found.append(tuple(blobs))
        return found[0], found[1]
    except Exception:
        return (), ()


def _dss(reader: Any) -> tuple[tuple[bytes, ...], int | None]:
    """Certificates of the document security store (they complete chains of LT/LTA signatures and time-stamps,
    as pyHanko's own PAdES validation uses them) and the first revision that has a DSS."""

    try:
        if "/DSS" not in reader.root:
            return (), None
        dss = reader.root["/DSS"]
        streams = list(dss["/Certs"]) if "/Certs" in dss else []
    except Exception:
        return (), None
    certs = []
    for stream in streams:
        try:
            der = stream.get_object().data
            parse_certificate(der)  # skip garbage here rather than in the hook
            certs.append(der)
        except Exception:
            continue
    return tuple(certs), next((rev for rev in range(reader.xrefs.total_revisions) if _has_dss(reader, rev)), None)


def _has_dss(reader: Any, revision: int) -> bool:
    try:
        return "/DSS" in reader.get_historical_resolver(revision).root
    except Exception:
        return False


def intermediates(facts: FileFacts, embedded: list[Any]) -> tuple[bytes, ...]:
    """Intermediates for a certificate of the file: the caller's, those ``embedded`` with it, the DSS's."""
    return facts.options.validation.intermediates + tuple(c.dump() for c in embedded) + facts.dss_certificates
