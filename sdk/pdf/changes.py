"""Coverage of a PDF signature and what changed after signing: the byte-range geometry, the signature dictionary,
pyHanko's difference analysis with Kyso's rules on top, pages, overlays, DocMDP.

Each rule says which attack or which file of the interop corpus (``shared/interop/MANIFEST.md``) made it
necessary:

- the byte-range geometry is Kyso's own check (:mod:`kyso.pdf.byterange`, also used by :mod:`kyso.pdf.raw`):
  pyHanko's coverage level is arithmetic on lengths, fooled by a literal-string /Contents (issue 9,
  ``docs/security.md``);
- bytes after the end of the last revision that no revision explains make the coverage PARTIAL (appended-bytes
  attack);
- a signature dictionary without /Filter, or with a /SubFilter Kyso does not verify (legacy SHA-1 formats
  included), is INDETERMINATE (issue 9, class 2);
- revisions added after signing that cannot be parsed count as unexplained modifications (shadow "hide":
  ``dss_shadow-hide.pdf``, ``rub_shadow-hide-form-via-form``);
- pages added or removed after signing fail the signature (incremental saving attack,
  ``dss_pdf-signed-added-page.pdf``, DSS ``BBB_FC_DSFREAP``);
- a form field other than a signature field filled after signing is reported (shadow "replace",
  ``dss_shadow-replace.pdf``);
- a visible unsigned widget added or changed after signing is a content change (issue 9, overlay attack,
  :mod:`kyso.pdf.overlays`);
- changes beyond what a certifying signature's DocMDP permits are reported;
- an updated VRI entry of the document security store is an LTA update, not a suspicious change
  (``dss_PAdES-LT-multi.pdf``: DSS's own LT/LTA extension rewrites VRI entries, which pyHanko refuses).
"""

from __future__ import annotations

import functools
from typing import Any

from kyso.core.models import Coverage, Indication, Modifications, SignatureReport, SubIndication, Verdict
from kyso.pdf.facts import FileFacts


def check_coverage_and_changes(emb: Any, facts: FileFacts, report: SignatureReport, verdict: Verdict) -> None:
    """Coverage and modifications of one signature (or document time-stamp) into ``report``; ``verdict`` lowered by
    every rule of this module that it breaks."""
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

    if not _coverage(emb, facts, report, verdict):
        return
    if emb.coverage.name == "ENTIRE_FILE":
        report.modifications = Modifications.NONE
        return
    try:
        diff = emb.evaluate_modifications(_diff_policy())
    except Exception as exc:
        # Kyso rule (dss_shadow-hide.pdf, rub_shadow-hide-form-via-form): the shadow "hide" files carry an
        # incremental update pyHanko cannot parse; an update nobody can analyse is an unexplained change
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(
            f"the document was modified after signing and the changes cannot be analysed ({exc.__class__.__name__})"
        )
        return
    emb.diff_result = diff
    _check_pages(emb, facts, report, verdict)
    if isinstance(diff, SuspiciousModification):
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(f"the document was modified after signing: {str(diff)[:200]}")
        return
    level = diff.modification_level
    if report.modifications is None:
        report.modifications = {
            ModificationLevel.NONE: Modifications.NONE,
            ModificationLevel.LTA_UPDATES: Modifications.NONE,
            ModificationLevel.FORM_FILLING: Modifications.FORM_FILLING,
            ModificationLevel.ANNOTATIONS: Modifications.ANNOTATIONS,
        }.get(level, Modifications.OTHER)
    if level.value > ModificationLevel.ANNOTATIONS.value:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append("the document was modified after signing (changes not allowed for a signed PDF)")
        return
    filled = set(getattr(diff, "changed_form_fields", ()) or ()) - facts.signature_fields
    if filled:
        # Kyso rule (dss_shadow-replace.pdf): pyHanko rates the shadow "replace" attack as mere form filling, as
        # a new value of a text field may legitimately follow an approval signature in PDF. In an issued document
        # nobody fills fields after signing, and an overlay value is how content is replaced: report it.
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(f"form fields were changed after signing: {', '.join(sorted(filled))}")
    _check_overlays(emb, facts, report, verdict)
    docmdp = emb.docmdp_level
    if docmdp is not None and level.value > docmdp.value:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append("changes after signing exceed what the certifying signature permits")


def _coverage(emb: Any, facts: FileFacts, report: SignatureReport, verdict: Verdict) -> bool:
    """Coverage of the byte range; False when it is not a standard one (then nothing after signing can be
    analysed).

    Kyso rule (issue 9, literal-/Contents forgery; ``kyso.pdf.byterange``, ``docs/security.md``): pyHanko's coverage
    level is arithmetic on lengths, true only once Kyso has checked where the ranges and the /Contents token are.
    Do not remove this check in favour of ``evaluate_signature_coverage`` alone."""
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    from kyso.pdf import byterange

    try:
        geometry = byterange.check(facts.data, emb.byte_range, _dictionary_offset(emb))
        if geometry.contents != emb.pkcs7_content:
            raise byterange.GeometryError("the signature value between the byte ranges is not the one pyHanko read")
    except byterange.GeometryError as exc:
        report.coverage, report.modifications = Coverage.PARTIAL, Modifications.OTHER
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append(str(exc))
        return False
    try:
        # the geometry holds, so pyHanko's arithmetic is true: ENTIRE_FILE is decided from the real end above,
        # earlier revisions (ENTIRE_REVISION) by pyHanko's startxref and cross-reference checks
        coverage = SignatureCoverageLevel.ENTIRE_FILE if geometry.whole_file else emb.evaluate_signature_coverage()
        if coverage == SignatureCoverageLevel.ENTIRE_FILE and not geometry.whole_file:
            coverage = SignatureCoverageLevel.UNCLEAR
    except Exception as exc:
        coverage = SignatureCoverageLevel.UNCLEAR
        report.messages.append(f"the byte range cannot be related to the file: {exc.__class__.__name__}")
    emb.coverage = coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        report.coverage = Coverage.ENTIRE_FILE
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        report.coverage = Coverage.ENTIRE_REVISION
    else:
        report.coverage = Coverage.PARTIAL
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append("the signature does not cover the whole file (non-standard byte range)")
        return False
    if facts.trailing_bytes and coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        # Kyso rule (appended-bytes attack): pyHanko only diffs revisions the cross-reference chain knows; bytes
        # after the last %%EOF belong to no revision, yet recovering readers may still show objects from them
        report.coverage = Coverage.PARTIAL
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(
            f"{facts.trailing_bytes} bytes after the end of the last revision are covered by no signature"
        )
    return True


def _dictionary_offset(emb: Any) -> int:
    """File offset of the signature dictionary pyHanko read (the latest definition of the /V object)."""
    from pyhanko.pdf_utils import generic

    from kyso.pdf import byterange

    value = emb.sig_field.raw_get("/V")
    location = emb.reader.xrefs[value.reference] if isinstance(value, generic.IndirectObject) else None
    if not isinstance(location, int):
        raise byterange.GeometryError("the signature dictionary is not stored as an object of its own in the file")
    return location


def _check_pages(emb: Any, facts: FileFacts, report: SignatureReport, verdict: Verdict) -> None:
    """Kyso rule (dss_pdf-signed-added-page.pdf): pyHanko rates a page added after signing as just OTHER; EU DSS
    fails it (BBB_FC_DSFREAP, TOTAL_FAILED / FORMAT_FAILURE) since the reader sees pages nobody signed."""
    signed = facts.pages_at(emb.signed_revision)
    if signed is not None and facts.page_count is not None and signed != facts.page_count:
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append(f"pages were added or removed after signing ({signed} signed, {facts.page_count} now)")


def _check_overlays(emb: Any, facts: FileFacts, report: SignatureReport, verdict: Verdict) -> None:
    """Kyso rule (issue 9, overlay attack; see ``kyso.pdf.overlays``): pyHanko rates a new *unsigned* signature field
    as form filling whatever its appearance paints; a visible widget added or changed after signing that no later
    signature of its own field covers is a content change."""
    from kyso.pdf import overlays

    if facts.widgets is None:
        try:
            facts.widgets = overlays.visible_widgets(facts.reader, facts.signed_revisions)
        except Exception as exc:
            unreadable = f"annotations that cannot be read ({exc.__class__.__name__})"
            facts.widgets = [overlays.Widget(unreadable, 1 << 30, None)]
    painted = overlays.overlays(facts.widgets, emb.signed_revision)
    if painted:
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        shown = ", ".join(sorted(set(painted))[:5]) + (" ..." if len(set(painted)) > 5 else "")
        report.messages.append(
            f"unsigned fields or annotations added or changed after signing paint over the page: {shown}"
        )


@functools.cache
def _diff_policy() -> Any:
    """pyHanko's default difference policy with one Kyso change: updating an existing VRI entry of the DSS.

    Kyso rule (dss_PAdES-LT-multi.pdf): PAdES lets validation data be added to the DSS at any later revision, and
    EU DSS extending a document to LT/LTA rewrites existing VRI entries with more certificates and OCSP responses.
    pyHanko treats any change of an existing VRI key as suspicious and so rates such a signature OTHER. A VRI
    entry only lists validation data; it cannot change what the document shows. The updated entry is checked
    exactly as pyHanko checks a new one (key format, allowed keys, streams); deleting an entry stays suspicious.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, StandardDiffPolicy, SuspiciousModification
    from pyhanko.sign.diff_analysis.rules.form_field_rules import DSSCompareRule

    def vri_of(resolver: Any) -> Any:
        return resolver.root["/DSS"]["/VRI"]

    class UpdatableVriRule(DSSCompareRule):
        def apply(self, old: Any, new: Any) -> Any:
            try:
                yield from super().apply(old, new)
            except SuspiciousModification as exc:
                # the VRI check is the last step of DSSCompareRule.apply: everything before it has been yielded
                if not str(exc).startswith("VRI key") or "was modified or deleted" not in str(exc):
                    raise
                try:
                    old_vri, new_vri = vri_of(old), vri_of(new)
                except Exception:
                    raise exc from None
                kept = generic.DictionaryObject(
                    {k: v for k, v in old_vri.items() if k not in new_vri or new_vri.raw_get(k) == v}
                )
                yield from DSSCompareRule._check_vri(old, new, kept, new_vri)

    rules = [
        UpdatableVriRule().as_qualified(r.level) if isinstance(getattr(r, "rule", None), DSSCompareRule) else r  # type: ignore[attr-defined]
        for r in DEFAULT_DIFF_POLICY.global_rules
    ]
    return StandardDiffPolicy(
        global_rules=rules,
        form_rule=DEFAULT_DIFF_POLICY.form_rule,
        reject_object_freeing=DEFAULT_DIFF_POLICY.reject_object_freeing,
        ignore_orphaned_objects=DEFAULT_DIFF_POLICY.ignore_orphaned_objects,
        ignore_identical_objects=DEFAULT_DIFF_POLICY.ignore_identical_objects,
    )


_SUBFILTERS = {"/Sig": ("/adbe.pkcs7.detached", "/ETSI.CAdES.detached"), "/DocTimeStamp": ("/ETSI.RFC3161",)}
"""The /SubFilter values Kyso verifies, per /Type of the signature dictionary (ISO 32000-2 12.8, PAdES)."""


_LEGACY_SUBFILTERS = ("/adbe.pkcs7.sha1", "/adbe.x509.rsa_sha1")


def check_dictionary(emb: Any, verdict: Verdict, messages: list[str]) -> bool:
    """Kyso rule (issue 9, class 2): a signature is judged only in a format Kyso knows. /Filter must be present (any
    handler name: Adobe.PPKLite, Adobe.PPKMS ... all write the same formats) and /SubFilter must be one of
    ``_SUBFILTERS`` for the dictionary's /Type: a detached CMS/CAdES signature, or an RFC 3161 token for a document
    time-stamp. Anything else, the legacy SHA-1 formats included, is INDETERMINATE / FORMAT_FAILURE with the reason
    and is not checked further (pyHanko would read any CMS it finds, whatever the dictionary says it is)."""
    from pyhanko.pdf_utils import generic

    def name(key: str) -> str | None:
        try:
            value = emb.sig_object.get(key)
        except Exception:
            return None
        return str(value)[:64] if isinstance(value, generic.NameObject) else None

    kind, handler, subfilter = name("/Type") or "/Sig", name("/Filter"), name("/SubFilter")
    if subfilter in _LEGACY_SUBFILTERS:
        problem = f"the legacy signature format {subfilter[1:]} (SHA-1) is not supported"
    elif handler is None:
        problem = "the signature dictionary has no /Filter"
    elif subfilter is None:
        problem = "the signature dictionary has no /SubFilter"
    elif subfilter not in _SUBFILTERS.get(kind, ()):
        problem = f"the signature format {subfilter[1:]} is not a known one for {kind[1:]}"
    else:
        return True
    verdict.lower(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)
    messages.append(problem)
    return False
