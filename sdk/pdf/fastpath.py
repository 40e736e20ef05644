"""The fast signing path: a PAdES B-B / B-T signature written by Kyso itself, as one incremental update.

Why: pyHanko's writer costs 15-20 ms per signature (its object model, the dry run that sizes the signature, the
whole CMS machinery) where the byte work is under a millisecond; a province's batch signs thousands of documents.
This is the one place where Kyso writes PDF bytes. It covers what almost every signature is, and nothing else:

- pyHanko reads the file (:func:`kyso.pdf.reading.open_reader`): the trailer, the catalog, the page, the form;
- the update holds the signature dictionary, one merged field and widget (invisible, or the kind's mark drawn by
  the same painter as pyHanko's path, :mod:`kyso.pdf.appearance`), the page with the widget in its ``/Annots``, the
  form (``/Fields``, ``/SigFlags 3``) and the catalog, then a cross-reference section of the input's own kind
  (table or stream) and a trailer; every object is serialised by pyHanko's ``generic`` objects;
- the CMS is built with asn1crypto from a template prepared once per signer (certificates, signer identifier,
  signing-certificate-v2), signed by the :class:`~kyso.core.signer.Signer`'s ``sign_raw``.

Whatever is unusual (:func:`unusual` says why) is left to pyHanko's writer, as before: encrypted input, a
cross-reference section pyHanko had to repair, hybrid files, certification (DocMDP) or field locks, an existing
field of the requested name, indirect ``/Fields``, plain ``--box`` stamps, a CMS larger than reserved. The output
passes the same checks as pyHanko's (tests/pdf/test_fastpath.py: pyHanko's validation, ``pdfsig``, the byte-range
geometry rule of :mod:`kyso.pdf.byterange`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from kyso.core.errors import KysoError, TimestampError
from kyso.core.models import Level, SignRequest
from kyso.core.signer import Signer

__all__ = ["reserved_bytes", "sign_fast", "unusual"]

SIGNATURE_OVERHEAD = 3072
"""Bytes of the CMS beyond the certificates: signed attributes, signature value, structure."""
TIMESTAMP_RESERVE = 12288
"""Bytes reserved for an RFC 3161 token (the TSA's chain included)."""
_MAX_FIELDS = 4096
"""Form fields walked to find the names taken; a form with more goes to pyHanko."""
_BYTE_RANGE_ROOM = 36
"""``[0 n n n]`` with three ten-digit numbers: the room kept for /ByteRange before the offsets are known."""
_ESIC = b"/ESIC<</Type/DeveloperExtensions/BaseVersion/1.7/ExtensionLevel 1>>"
"""The PAdES developer extension pyHanko declares in the catalog (ETSI EN 319 142-1, 5.3)."""


class _Unusual(Exception):
    """The document or request needs pyHanko's writer; the message says why (for logs and tests)."""


def unusual(request: SignRequest, reader: Any) -> str | None:
    """Why ``request`` on the document ``reader`` read must go to pyHanko's writer, or ``None`` (fast path)."""
    try:
        _Document(reader, request)
    except _Unusual as exc:
        return str(exc)
    return None


def sign_fast(request: SignRequest, reader: Any, plan: Any) -> bytes | None:
    """The signed PDF, or ``None`` when the fast path does not apply (the caller then uses pyHanko's writer).

    ``reader`` is the document as :func:`~kyso.pdf.reading.open_reader` read it, ``plan`` the kind's mark
    (:func:`kyso.pdf.appearance.plan_appearance`) or ``None`` for an invisible signature.
    """
    if request.level not in (Level.B_B, Level.B_T) or (request.box is not None and plan is None):
        return None
    if plan is not None and plan.fill is not None:
        return None  # an issuance writing its number and date (widgets, kind attribute details): pyHanko writes it
    reserve = reserved_bytes(request)
    try:
        update = _Document(reader, request).update(request, plan, reserve)
    except _Unusual:
        return None
    except KysoError:
        raise  # a mark's own error (an unreadable image, a font without the glyphs): the same on either writer
    except Exception:  # the structure is odd in a way the checks did not foresee: pyHanko's writer decides
        return None
    template = _template(request.signer.certificate, request.signer.chain)
    digest = update.digest()
    cms_bytes = template.signed_data(request.signer, digest, request, timestamp=request.level is Level.B_T)
    if len(cms_bytes) > reserve:
        return None  # an unusually large CMS: pyHanko sizes it with a dry run
    return update.with_contents(cms_bytes)


def reserved_bytes(request: SignRequest) -> int:
    """Room for the CMS, decided before signing: the certificates, the rest of the CMS, a time-stamp token."""
    certificates = len(request.signer.certificate) + sum(len(der) for der in request.signer.chain)
    return certificates + SIGNATURE_OVERHEAD + (TIMESTAMP_RESERVE if request.level is Level.B_T else 0)


# --- the document as read ----------------------------------------------------------------------------------------


class _Document:
    """What the update needs from the input, checked to be plain enough for the fast path (else :class:`_Unusual`)."""

    def __init__(self, reader: Any, request: SignRequest) -> None:
        from pyhanko.pdf_utils import generic

        self.reader = reader
        self.data: bytes = request.document.data
        xrefs = reader.xrefs
        last = xrefs.total_revisions - 1
        for revision in range(xrefs.total_revisions):
            if xrefs.get_xref_data(revision).hybrid is not None:
                raise _Unusual("hybrid cross-reference sections")
        meta = xrefs.get_xref_container_info(last)
        at = meta.declared_startxref
        if meta.stream_ref is None:
            where = self.data.startswith(b"xref", at)
        else:
            header = b"%d %d obj" % (meta.stream_ref.idnum, meta.stream_ref.generation)
            where = self.data.startswith(header, at)
        if reader.last_startxref != at or not where:
            raise _Unusual("the cross-reference section is not where startxref says (repaired by pyHanko)")
        self.xref_stream = meta.stream_ref is not None
        trailer = reader.trailer
        if "/Encrypt" in trailer:
            raise _Unusual("encrypted document")
        self.size = _next_object_number(xrefs, int(trailer["/Size"]))
        self.prev = meta.declared_startxref
        self.root_ref = trailer.raw_get("/Root")
        if not isinstance(self.root_ref, generic.IndirectObject):
            raise _Unusual("the trailer's /Root is not a reference")
        self.info = trailer.raw_get("/Info") if "/Info" in trailer else None
        try:
            self.first_id = reader.document_id[0]
        except (KeyError, IndexError, TypeError, AttributeError):
            self.first_id = None
        root = reader.root
        if "/Perms" in root:
            raise _Unusual("the document is certified or has usage rights (/Perms): DocMDP rules")
        self.root = root
        acroform = root.raw_get("/AcroForm") if "/AcroForm" in root else None
        self.acroform_ref = acroform if isinstance(acroform, generic.IndirectObject) else None
        form = acroform.get_object() if acroform is not None else None
        if form is not None and not isinstance(form, generic.DictionaryObject):
            raise _Unusual("/AcroForm is not a dictionary")
        self.form = form
        self.fields: list[Any] = []
        if form is not None and "/Fields" in form:
            fields = form.raw_get("/Fields")
            if not isinstance(fields, generic.ArrayObject):
                raise _Unusual("/Fields is not a direct array")
            if "/XFA" in form:
                raise _Unusual("XFA form")
            self.fields = list(fields)
        self.taken = self._field_names()
        name = request.field
        if name is not None and (name in self.taken or "." in name or not name):
            raise _Unusual(f"a field named {name!r} exists or the name is hierarchical")

    def _field_names(self) -> set[str]:
        """Fully qualified names of every field; locked or odd fields send the document to pyHanko."""
        from pyhanko.pdf_utils import generic

        taken: set[str] = set()
        pending = [(ref, "") for ref in self.fields]
        seen = 0
        while pending:
            ref, parent = pending.pop()
            seen += 1
            if seen > _MAX_FIELDS:
                raise _Unusual("too many form fields")
            node = ref.get_object() if isinstance(ref, generic.IndirectObject) else ref
            if not isinstance(node, generic.DictionaryObject):
                raise _Unusual("a form field is not a dictionary")
            if "/Lock" in node or "/SV" in node:
                raise _Unusual("a signature field with a lock or seed values")
            name = parent
            if "/T" in node:
                part = str(node["/T"])
                name = f"{parent}.{part}" if parent else part
                taken.add(name)
            if "/Kids" in node:
                kids = node["/Kids"]
                if not isinstance(kids, generic.ArrayObject):
                    raise _Unusual("/Kids is not an array")
                pending.extend((kid, name) for kid in kids)
        return taken

    def fresh_name(self) -> str:
        number = 1
        while f"Signature{number}" in self.taken:
            number += 1
        return f"Signature{number}"

    def update(self, request: SignRequest, plan: Any, reserve: int) -> _Update:
        """Lay out the incremental update with room for ``reserve`` bytes of CMS."""
        from pyhanko.pdf_utils import generic

        name = generic.NameObject
        page_index = plan.page if plan is not None else 0
        try:
            page_ref, _ = self.reader.find_page_for_modification(page_index)
        except Exception as exc:
            raise _Unusual(f"the page tree cannot be read ({exc.__class__.__name__})") from None
        objects = _NewObjects(self.size)
        sig_ref = objects.reserve()
        widget_ref = objects.reserve()
        field_name = request.field or self.fresh_name()
        widget = generic.DictionaryObject(
            {
                name("/FT"): name("/Sig"),
                name("/T"): generic.TextStringObject(field_name),
                name("/Type"): name("/Annot"),
                name("/Subtype"): name("/Widget"),
                name("/F"): generic.NumberObject(132),  # print, locked
                name("/Rect"): generic.ArrayObject(
                    generic.FloatObject(v) for v in (plan.box if plan else (0, 0, 0, 0))
                ),
                name("/P"): page_ref,
                name("/V"): sig_ref,
            }
        )
        if plan is not None:
            widget[name("/AP")] = generic.DictionaryObject({name("/N"): _appearance(objects, plan)})
        objects.put(widget_ref, widget)
        # the page, with the widget among its annotations
        page = page_ref.get_object()
        annots = page.raw_get("/Annots") if "/Annots" in page else None
        if isinstance(annots, generic.IndirectObject):
            array = annots.get_object()
            if not isinstance(array, generic.ArrayObject):
                raise _Unusual("the page's /Annots is not an array")
            objects.put(annots, generic.ArrayObject([*array, widget_ref]))
        else:
            if annots is not None and not isinstance(annots, generic.ArrayObject):
                raise _Unusual("the page's /Annots is not an array")
            new_page = _copy(page)
            new_page[name("/Annots")] = generic.ArrayObject([*(annots or ()), widget_ref])
            objects.put(page_ref, new_page)
        # the form and the catalog
        form = _copy(self.form) if self.form is not None else generic.DictionaryObject()
        form[name("/Fields")] = generic.ArrayObject([*self.fields, widget_ref])
        form[name("/SigFlags")] = generic.NumberObject(3)
        catalog = _copy(self.root)
        catalog_changed = False
        if self.acroform_ref is not None:
            objects.put(self.acroform_ref, form)
        else:
            catalog[name("/AcroForm")] = objects.add_object(form)
            catalog_changed = True
        extensions = catalog.get("/Extensions")
        if not isinstance(extensions, generic.DictionaryObject) or "/ESIC" not in extensions:
            if extensions is not None and not isinstance(extensions, generic.DictionaryObject):
                raise _Unusual("the catalog's /Extensions is not a dictionary")
            merged = _copy(extensions) if extensions is not None else generic.DictionaryObject()
            merged[name("/ESIC")] = _esic()
            catalog[name("/Extensions")] = merged
            catalog_changed = True
        if catalog_changed:
            objects.put(self.root_ref, catalog)
        reason = plan.reason if plan is not None else request.reason
        return _Update(self, objects, sig_ref, reserve, reason=reason, location=request.location)


def _next_object_number(xrefs: Any, size: int) -> int:
    """The first object number free in every revision: the trailer's /Size, unless a damaged or hostile file uses
    higher numbers than it declares (a new object must never take an existing one's number)."""
    for revision in range(xrefs.total_revisions):
        data = xrefs.get_xref_data(revision)
        for table in (data.standard_xrefs, data.xrefs_in_objstm, data.freed):
            if table:
                size = max(size, max(table) + 1)
    return size


def _copy(dictionary: Any) -> Any:
    """A shallow copy keeping references as references (``raw_get``), never resolving them."""
    from pyhanko.pdf_utils import generic

    return generic.DictionaryObject({key: dictionary.raw_get(key) for key in dictionary})


@functools.cache
def _esic() -> Any:
    from pyhanko.pdf_utils import generic

    name = generic.NameObject
    return generic.DictionaryObject(
        {
            name("/Type"): name("/DeveloperExtensions"),
            name("/BaseVersion"): name("/1.7"),
            name("/ExtensionLevel"): generic.NumberObject(1),
        }
    )


def _appearance(objects: _NewObjects, plan: Any) -> Any:
    """The mark's form XObject: the plan's painter, wrapped as pyHanko's stamps wrap it (``q ... Q``)."""
    from pyhanko.pdf_utils import generic

    name = generic.NameObject
    ops, resources = plan.painter(objects)
    x1, y1, x2, y2 = plan.box
    resource_dict = generic.DictionaryObject(
        {
            name(category): generic.DictionaryObject({name(key): value for key, value in entries.items()})
            for category, entries in resources.items()
        }
    )
    stream = generic.StreamObject(
        {
            name("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, x2 - x1, y2 - y1)),
            name("/Resources"): resource_dict,
            name("/Type"): name("/XObject"),
            name("/Subtype"): name("/Form"),
        },
        stream_data=b"q " + ops + b" Q",
    )
    return objects.add_object(stream)


class _NewObjects:
    """The objects of the update, numbered from the trailer's /Size on; also the ``writer`` the painters of
    :mod:`kyso.pdf.appearance` add their images and fonts to (they only call ``add_object``)."""

    def __init__(self, first: int) -> None:
        self.next = first
        self.objects: dict[tuple[int, int], Any] = {}

    def reserve(self) -> Any:
        from pyhanko.pdf_utils import generic

        ref = generic.IndirectObject(self.next, 0, None)
        self.next += 1
        return ref

    def put(self, ref: Any, obj: Any) -> None:
        self.objects[(ref.idnum, ref.generation)] = obj

    def add_object(self, obj: Any) -> Any:
        ref = self.reserve()
        self.put(ref, obj)
        return ref


@dataclass
class _Update:
    """The update laid out with a zero-filled /Contents of fixed size; :meth:`with_contents` fills it in."""

    document: _Document
    objects: _NewObjects
    sig_ref: Any
    reserve: int
    reason: str | None = None
    location: str | None = None
    buffer: bytearray = field(default_factory=bytearray)
    contents_at: int = 0
    """Offset of the ``<`` of /Contents."""
    range_at: int = 0
    """Offset of the room kept for the /ByteRange array."""

    def __post_init__(self) -> None:
        self._write()

    def _write(self) -> None:
        from pyhanko.pdf_utils import generic

        data = self.document.data
        out = self.buffer
        out += data
        if not data.endswith((b"\n", b"\r")):
            out += b"\n"
        offsets: dict[int, tuple[int, int]] = {}
        for (idnum, generation), obj in sorted(self.objects.objects.items()):
            offsets[idnum] = (len(out), generation)
            out += b"%d %d obj\n" % (idnum, generation)
            out += _serialised(obj)
            out += b"\nendobj\n"
        # the signature dictionary last, laid out as pyHanko lays it out: /Contents first, then /ByteRange
        offsets[self.sig_ref.idnum] = (len(out), 0)
        out += b"%d 0 obj\n<<\n/Contents " % self.sig_ref.idnum
        self.contents_at = len(out)
        out += b"<" + b"0" * (2 * self.reserve) + b">"
        out += b"\n/ByteRange "
        self.range_at = len(out)
        out += b" " * _BYTE_RANGE_ROOM
        out += b"\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n/M "
        out += _serialised(generic.pdf_date(datetime.now(UTC).replace(microsecond=0)))
        if self.reason:
            out += b"\n/Reason " + _serialised(generic.TextStringObject(self.reason))
        if self.location:
            out += b"\n/Location " + _serialised(generic.TextStringObject(self.location))
        out += b"\n>>\nendobj\n"
        self._cross_reference(offsets)
        end = self.contents_at + 2 * self.reserve + 2
        byte_range = b"[0 %d %d %d]" % (self.contents_at, end, len(out) - end)
        out[self.range_at : self.range_at + len(byte_range)] = byte_range

    def _cross_reference(self, offsets: dict[int, tuple[int, int]]) -> None:
        from pyhanko.pdf_utils import generic

        document, out = self.document, self.buffer
        name = generic.NameObject
        trailer = generic.DictionaryObject({name("/Root"): document.root_ref})
        if document.info is not None:
            trailer[name("/Info")] = document.info
        fresh = os.urandom(16)
        first = document.first_id or fresh
        trailer[name("/ID")] = generic.ArrayObject([generic.ByteStringObject(first), generic.ByteStringObject(fresh)])
        trailer[name("/Prev")] = generic.NumberObject(document.prev)
        start = len(out)
        if document.xref_stream:
            stream_id = self.objects.next
            offsets[stream_id] = (start, 0)
            ids = sorted(offsets)
            width = max(4, (len(out).bit_length() + 7) // 8)
            rows = b"".join(
                b"\x01" + offsets[i][0].to_bytes(width, "big") + offsets[i][1].to_bytes(2, "big") for i in ids
            )
            trailer[name("/Type")] = name("/XRef")
            trailer[name("/Size")] = generic.NumberObject(stream_id + 1)
            trailer[name("/W")] = generic.ArrayObject(generic.NumberObject(v) for v in (1, width, 2))
            trailer[name("/Index")] = generic.ArrayObject(generic.NumberObject(v) for v in _runs_index(ids))
            trailer[name("/Filter")] = name("/FlateDecode")
            stream = generic.StreamObject(trailer, encoded_data=zlib.compress(rows))
            out += b"%d 0 obj\n" % stream_id + _serialised(stream) + b"\nendobj\n"
        else:
            ids = sorted(offsets)
            out += b"xref\n"
            for first_id, count in _runs(ids):
                out += b"%d %d\n" % (first_id, count)
                for i in range(first_id, first_id + count):
                    out += b"%010d %05d n\r\n" % offsets[i]
            trailer[name("/Size")] = generic.NumberObject(self.objects.next)
            out += b"trailer\n" + _serialised(trailer) + b"\n"
        out += b"startxref\n%d\n%%%%EOF\n" % start

    def digest(self) -> bytes:
        view = memoryview(self.buffer)
        end = self.contents_at + 2 * self.reserve + 2
        digest = hashlib.sha256(view[: self.contents_at])
        digest.update(view[end:])
        return digest.digest()

    def with_contents(self, cms_bytes: bytes) -> bytes:
        hex_digits = cms_bytes.hex().encode("ascii")
        start = self.contents_at + 1
        self.buffer[start : start + len(hex_digits)] = hex_digits
        return bytes(self.buffer)


def _serialised(obj: Any) -> bytes:
    out = BytesIO()
    obj.write_to_stream(out, None)
    return out.getvalue()


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted object numbers as (first, count) runs of consecutive numbers: the subsections of a xref section."""
    runs: list[tuple[int, int]] = []
    for i in ids:
        if runs and runs[-1][0] + runs[-1][1] == i:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    return runs


def _runs_index(ids: list[int]) -> list[int]:
    return [value for run in _runs(ids) for value in run]


# --- the CMS -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    """What one signer's signatures share, DER-encoded once with asn1crypto: the certificates, the signer
    identifier and the signing-certificate-v2 attribute. A signature then only splices its message digest,
    signature value (and time-stamp token) into these bytes: asn1crypto re-encodes a whole certificate chain on
    every ``dump()`` of a structure built around it (about 15 ms), the splice costs microseconds."""

    certificates: bytes
    """The contents of the ``[0] IMPLICIT CertificateSet``: each certificate's DER."""
    sid: bytes
    signing_certificate: bytes
    """The signed attribute signing-certificate-v2 (RFC 5035), as pyHanko writes it."""

    @property
    def certificate_bytes(self) -> int:
        return len(self.certificates)

    def signed_data(self, signer: Signer, digest: bytes, request: SignRequest, *, timestamp: bool) -> bytes:
        """A detached CMS SignedData over ``digest`` (PAdES: content-type, message-digest, signing-certificate-v2,
        and Kyso's kind attribute), as pyHanko builds it."""
        attributes = _CONTENT_TYPE_DATA + _tlv(0x30, _MESSAGE_DIGEST_OID + _tlv(0x31, _tlv(0x04, digest)))
        attributes += self.signing_certificate
        if request.kind is not None:
            attributes += _kind_attribute(request.kind)
        try:
            signature = signer.sign_raw(_tlv(0x31, attributes), "sha256")
        except KysoError:
            raise
        except Exception as exc:  # the same error as pyHanko's path gives for a failing key
            from kyso.pdf.signing import raise_signing_error

            raise_signing_error(exc, request)
            raise
        signer_info = _VERSION_1 + self.sid + _SHA256 + _tlv(0xA0, attributes)
        signer_info += _signature_algorithm(signer.key_algorithm) + _tlv(0x04, signature)
        if timestamp:
            token = _timestamp_token(request, signature)
            signer_info += _tlv(0xA1, _tlv(0x30, _TIMESTAMP_TOKEN_OID + _tlv(0x31, token)))
        signed_data = _VERSION_1 + _tlv(0x31, _SHA256) + _ENCAPSULATED_DATA + _tlv(0xA0, self.certificates)
        signed_data += _tlv(0x31, _tlv(0x30, signer_info))
        return _tlv(0x30, _SIGNED_DATA_OID + _tlv(0xA0, _tlv(0x30, signed_data)))


def _tlv(tag: int, content: bytes) -> bytes:
    """One DER element: ``tag``, the definite length of ``content``, ``content``."""
    length = len(content)
    if length < 0x80:
        return bytes((tag, length)) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + content


_VERSION_1 = bytes.fromhex("020101")
_SHA256 = bytes.fromhex("300d06096086480165030402010500")
"""AlgorithmIdentifier sha256 with NULL parameters, as pyHanko writes it."""
_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")
_ENCAPSULATED_DATA = bytes.fromhex("300b06092a864886f70d010701")
_CONTENT_TYPE_DATA = bytes.fromhex("301806092a864886f70d010903310b06092a864886f70d010701")
_MESSAGE_DIGEST_OID = bytes.fromhex("06092a864886f70d010904")
_TIMESTAMP_TOKEN_OID = bytes.fromhex("060b2a864886f70d010910020e")


@functools.cache
def _signature_algorithm(key_algorithm: str) -> bytes:
    from asn1crypto import algos

    mechanism = "sha256_ecdsa" if key_algorithm == "ec" else "sha256_rsa"
    return algos.SignedDigestAlgorithm({"algorithm": mechanism}).dump()  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=64)
def _kind_attribute(kind: str) -> bytes:
    from kyso.pdf.kind_attribute import kind_attribute

    return kind_attribute(kind).dump()  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=32)
def _template(certificate: bytes, chain: tuple[bytes, ...]) -> _Template:
    """Prepared once per signer (keyed by its certificates' bytes: the same key in another object shares it)."""
    # asn1crypto.pdf adds Adobe's attribute names to asn1crypto's table of names; asn1crypto builds the reverse
    # table once, on first use, and never sees names added later: add them before the first use, as pyHanko does
    import asn1crypto.pdf  # noqa: F401
    from asn1crypto import cms, tsp, x509

    cert = x509.Certificate.load(certificate)
    sid = cms.SignerIdentifier(
        {
            "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": cert.issuer, "serial_number": cert.serial_number}
            )
        }
    )
    ess = tsp.SigningCertificateV2(
        {
            "certs": [
                tsp.ESSCertIDv2(
                    {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "cert_hash": hashlib.sha256(certificate).digest(),
                        "issuer_serial": {
                            "issuer": [x509.GeneralName({"directory_name": cert.issuer})],
                            "serial_number": cert["tbs_certificate"]["serial_number"],
                        },
                    }
                )
            ]
        }
    )
    attribute = cms.CMSAttribute({"type": "signing_certificate_v2", "values": (ess,)})
    for der in chain:
        x509.Certificate.load(der).dump()  # each one a certificate: the check pyHanko's registry would make
    return _Template(b"".join((certificate, *chain)), sid.dump(), attribute.dump())


def _timestamp_token(request: SignRequest, signature: bytes) -> bytes:
    """An RFC 3161 token over the signature value, from the TSA the request names (pyHanko's client, bounded)."""
    from kyso.core.aio import run_sync
    from kyso.core.models import NetworkBudget
    from kyso.pdf.signing import bounded_timestamper

    budget = request.budget if request.budget is not None else NetworkBudget(request.timeout)
    stamper = bounded_timestamper(request.tsa or "", budget)
    try:
        token = run_sync(stamper.async_timestamp(hashlib.sha256(signature).digest(), "sha256")).dump()
    except Exception as exc:
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
        raise TimestampError(f"time-stamping authority {request.tsa} failed: {text}", url=request.tsa) from None
    return token  # type: ignore[no-any-return]
