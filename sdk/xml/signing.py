"""``kyso sign`` of an XML document: what the format's options mean.

- ``xml_form``: ``dsig`` (plain XML-DSig, the default) or ``xades`` (XAdES baseline; ``level`` B-T and B-LT imply
  it, with ``tsa``);
- ``xml_placement``: ``enveloped`` (default: the signature inside the document), ``enveloping`` (the document
  inside the signature's ``Object``) or ``detached`` (a signature document over the input's bytes, named by the
  document's name; verify it with ``detached_content``);
- ``xml_id``: sign the element with this Id (unique in the document) instead of the whole document;
- ``xml_into``: where an enveloped signature goes (default: last child of the root), a bounded path
  (:func:`select`);
- ``profile``: ``einvoice`` signs as the seller of a Vietnamese e-invoice (:mod:`kyso.xml.einvoice`).
"""

from __future__ import annotations

import re
from typing import Any

from kyso.core.errors import InputError, UsageError
from kyso.core.models import Level, SignRequest

_STEP = re.compile(
    r"(?P<name>\*|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)(?:\[(?:(?P<index>[1-9][0-9]{0,5})|@(?P<attribute>[A-Za-z_][\w.-]*)=(?P<quote>['\"])(?P<value>[^'\"]{0,200})(?P=quote))\])?"
)
MAX_PATH_STEPS = 32


def select(root: Any, path: str) -> Any:
    """The one element an ``xml_into`` path names.

    The safe subset of XPath accepted: an absolute path of child steps, ``/step/step...`` (at most
    :data:`MAX_PATH_STEPS`), each step a name (a ``prefix:`` is ignored: names match by local name) or ``*``, with
    at most one predicate, a position ``[n]`` or an attribute test ``[@name='value']``. No ``//``, axes,
    functions or unions: each step looks at the children of the elements found so far, so the cost is at most one
    walk of the document. The path must name exactly one element.

    :raises UsageError: not in the subset, or it names no element or several.
    """
    from kyso.xmldsig.xmlsafe import child_elements, local_name

    if not path.startswith("/") or path.startswith("//"):
        raise UsageError(
            f"--xml-into {path!r}: an absolute path of child steps (/a/b[2]/c[@Id='x'])", parameter="xml_into"
        )
    steps = path[1:].split("/")
    if len(steps) > MAX_PATH_STEPS:
        raise UsageError(f"--xml-into has more than {MAX_PATH_STEPS} steps", parameter="xml_into")
    current = [root.getroottree().getroot()]
    for number, step in enumerate(steps):
        match = _STEP.fullmatch(step)
        if match is None:
            raise UsageError(f"--xml-into step {step!r} is outside the accepted XPath subset", parameter="xml_into")
        name = match["name"].split(":")[-1]
        pool = current if number == 0 else [c for e in current for c in child_elements(e)]
        found = [e for e in pool if name == "*" or local_name(e) == name]
        if match["index"]:
            position = int(match["index"])
            found = found[position - 1 : position]
        elif match["attribute"]:
            found = [e for e in found if e.get(match["attribute"]) == match["value"]]
        current = found
    if len(current) != 1:
        raise UsageError(
            f"--xml-into {path!r} names {len(current)} elements (exactly one is needed)", parameter="xml_into"
        )
    return current[0]


def sign_xml(request: SignRequest) -> bytes:
    """The signed document (or the detached signature) of ``request``."""
    import dataclasses

    from kyso.xmldsig import signing, xmlsafe
    from kyso.xmldsig.c14n import may_hold_big_text
    from kyso.xmldsig.policy import C14N, EXC_C14N, IdIndex, Refused
    from kyso.xmldsig.verification import find_signatures

    options = dict(request.format_options)
    form = options.get("xml_form") or ("xades" if request.level is not Level.B_B else "dsig")
    if request.level is Level.B_LTA:
        raise UsageError("XML signatures go up to level B-LT", parameter="level")
    if request.level is not Level.B_B and form != "xades":
        raise UsageError(f"level {request.level} is a XAdES level: use xml_form xades", parameter="xml_form")
    if request.page is not None or request.box is not None:
        raise UsageError("XML signatures have no visible appearance (--page and --box apply to PDF)")
    placement = options.get("xml_placement") or "enveloped"
    profile = options.get("profile")
    layout = signing.Layout(
        c14n=EXC_C14N,
        signature_id=request.field,
        xades=form == "xades",
        level=request.level,
        tsa=request.tsa,
        budget=request.budget or _budget(request),
    )
    if placement == "detached":
        _refuse_with(options, "detached", ("xml_id", "xml_into", "profile"))
        return signing.sign_detached(
            request.document.data, request.document.name or "document.xml", request.signer, layout=layout
        )
    if _streams(request.document.data, placement, options):
        from kyso.xmldsig.stream import StreamMiss

        try:
            return signing.sign_streamed(request.document.data, xmlsafe.GENERIC_LIMITS, request.signer, layout=layout)
        except StreamMiss:
            pass  # a shape the stream does not sign exactly: the tree does
    tree = xmlsafe.parse(request.document.data, xmlsafe.GENERIC_LIMITS)
    big = may_hold_big_text(request.document.data)
    root = tree.getroot()
    if placement == "enveloping":
        _refuse_with(options, "enveloping", ("xml_id", "xml_into", "profile"))
        return signing.sign_enveloping(tree, request.signer, layout=layout)
    if profile == "einvoice":
        from kyso.xml import einvoice

        _refuse_with(options, "the einvoice profile", ("xml_id", "xml_into"))
        target, parent = einvoice.seller_place(root)
        layout = dataclasses.replace(layout, c14n=C14N, signing_time_object=True)
        return signing.sign_enveloped(tree, parent, request.signer, target=target, layout=layout, big_texts=big)
    target = None
    if options.get("xml_id"):
        try:
            target = IdIndex(root).resolve(options["xml_id"], 0)
        except Refused as exc:
            raise InputError(
                f"--xml-id {options['xml_id']!r}: {str(exc).split(': ', 1)[-1]}", parameter="xml_id"
            ) from None
    parent = select(root, options["xml_into"]) if options.get("xml_into") else root
    if any(s is parent or s in parent.iterancestors() for s in find_signatures(root)):
        raise UsageError("a signature cannot be placed inside another signature", parameter="xml_into")
    return signing.sign_enveloped(tree, parent, request.signer, target=target, layout=layout, big_texts=big)


def _streams(data: bytes, placement: str, options: dict[str, Any]) -> bool:
    """Whether a document is signed as a stream (:func:`kyso.xmldsig.signing.sign_streamed`): a large one, signed
    whole, its signature the root's last child."""
    from kyso.xmldsig.stream import STREAM_FROM

    whole = not any(options.get(name) for name in ("xml_id", "xml_into", "profile"))
    return placement == "enveloped" and whole and len(data) >= STREAM_FROM


def _refuse_with(options: dict[str, Any], what: str, names: tuple[str, ...]) -> None:
    for name in names:
        if options.get(name):
            raise UsageError(f"{name} does not apply to {what}", parameter=name)


def _budget(request: SignRequest) -> Any:
    from kyso.core.models import NetworkBudget

    return NetworkBudget(request.timeout)


__all__ = ["MAX_PATH_STEPS", "select", "sign_xml"]
