"""``kyso edxml pack | unpack | status``: thin commands over :mod:`kyso_edxml` (signing and verification are
``kyso sign`` / ``kyso verify``, which detect edXML by themselves)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import click

from kyso.cli.options import allow_weak_option, offline_option, revocation_option, trust_option
from kyso.core.errors import InputError, UsageError
from kyso.text import printable, to_json

MAX_HEADER_JSON = 4 * 1024 * 1024


@click.group("edxml")
def edxml_group() -> None:
    """edXML packages of the national document-exchange axis (QCVN 102:2016)."""


@edxml_group.command("pack")
@click.option("--header", "header_path", required=True, type=click.Path(path_type=Path), help="Header as JSON.")
@click.option("--attach", "attachments", multiple=True, type=click.Path(path_type=Path), help="File to attach.")
@click.option("--zip", "zipped", is_flag=True, help="Zip each attachment before encoding it.")
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path))
def pack_command(header_path: Path, attachments: tuple[Path, ...], zipped: bool, output_path: Path) -> None:
    """Build an edXML package from a header (JSON, as ``unpack`` writes it) and attachments."""
    from kyso.files import check_output, write_atomically
    from kyso_edxml.packing import pack

    check_output(output_path)
    header = _read_json(header_path)
    if not isinstance(header, dict):
        raise InputError(f"{header_path}: the header JSON must be an object")
    try:
        packed = pack(header, attachments, zipped=zipped)
    except InputError as exc:
        raise InputError(f"{header_path}: {exc.message}", vi=exc.vi and f"{header_path}: {exc.vi}") from None
    write_atomically(output_path, packed)
    click.echo(printable(f"packed: {output_path}"), err=True)


@edxml_group.command("unpack")
@click.argument("input_path", metavar="IN", type=click.Path(path_type=Path))
@click.option("-d", "--directory", required=True, type=click.Path(path_type=Path), help="Output directory.")
@click.option(
    "--verify",
    "require_valid",
    is_flag=True,
    help="Unpack only a message whose signature is TOTAL_PASSED and covers it whole; exit 1 otherwise.",
)
@trust_option(help="Trust anchor (with --verify).")
@revocation_option()
@offline_option(help="Never fetch OCSP, CRL or certificates (with --verify).")
@allow_weak_option()
def unpack_command(
    input_path: Path,
    directory: Path,
    require_valid: bool,
    trust: tuple[Path, ...],
    revocation: str,
    offline: bool,
    allow_weak: tuple[str, ...],
) -> None:
    """Write the header of IN as header.json and each attachment under its own name into DIRECTORY.

    With --verify, what is written is read from the very tree that was verified, never from the bytes as given.
    """
    import sys

    from kyso.files import read_document, write_atomically
    from kyso_edxml import codec, jsonio
    from kyso_edxml.model import EdXMLMessage

    data = read_document(input_path)
    if require_valid:
        from kyso_edxml.api import open_verified

        report, verified = open_verified(
            data, trust=trust, revocation=revocation, offline=offline, name=input_path.name, allow_weak=allow_weak
        )
        if verified is None:
            reasons = "; ".join(m for s in report.signatures for m in s.messages[:3]) or "no signature"
            click.echo(printable(f"kyso: not unpacked: {report.indication} ({reasons})"), err=True)
            sys.exit(1)
        message = verified
    else:
        message = codec.parse(data)
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the directory ({exc.strerror})") from None
    header = jsonio.to_json(message)
    names: set[str] = {"header.json"}
    if isinstance(message, EdXMLMessage):
        for number, (attachment, entry) in enumerate(zip(message.attachments, header["attachments"], strict=True)):
            name = _safe_name(attachment.attachment_name, number + 1, names)
            names.add(name)
            entry["file"] = name
            write_atomically(directory / name, attachment.data)
            click.echo(printable(f"attachment: {directory / name} ({len(attachment.data)} bytes)"), err=True)
    text = to_json(header) + "\n"
    write_atomically(directory / "header.json", text.encode("utf-8"))
    for warning in message.warnings:
        click.echo(printable(f"warning: {warning}"), err=True)
    click.echo(printable(f"header: {directory / 'header.json'}"), err=True)


@edxml_group.command("status")
@click.option("--for", "document_id", required=True, metavar="DOCUMENT_ID", help="DocumentId of the document.")
@click.option("--code", required=True, metavar="CODE", help="Status code: 01 02 03 04 05 06 13 15 16.")
@click.option("--organ-id", required=True, help="OrganId of the agency sending the status.")
@click.option("--organ-name", help="Name of the agency sending the status.")
@click.option("--description", help="Text of the status (default: the code's usual wording).")
@click.option("--staff", help="Staff member handling the document.")
@click.option("--department", help="Their department.")
@click.option("--email", help="Their e-mail.")
@click.option("--mobile", help="Their phone.")
@click.option("--timestamp", metavar="ISO-8601", help="Time of the status, Vietnam time (default: now).")
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path))
def status_command(
    document_id: str,
    code: str,
    organ_id: str,
    organ_name: str | None,
    description: str | None,
    staff: str | None,
    department: str | None,
    email: str | None,
    mobile: str | None,
    timestamp: str | None,
    output_path: Path,
) -> None:
    """Build a status packet answering DOCUMENT_ID (e.g. 05: being processed)."""
    from datetime import datetime

    from kyso.files import check_output, write_atomically
    from kyso_edxml import codec
    from kyso_edxml.api import status_for
    from kyso_edxml.ids import check_organ_id
    from kyso_edxml.model import Organization, StaffInfo

    check_output(output_path)
    check_organ_id(organ_id, "--organ-id")
    moment = None
    if timestamp:
        try:
            moment = datetime.fromisoformat(timestamp)
        except ValueError:
            raise UsageError(f"--timestamp {timestamp!r} is not ISO 8601") from None
        if moment.tzinfo is not None:
            from kyso.core.models import VIETNAM_TIME

            moment = moment.astimezone(VIETNAM_TIME).replace(tzinfo=None)
    staff_info = None
    if any((staff, department, email, mobile)):
        staff_info = StaffInfo(department=department, staff=staff, mobile=mobile, email=email)
    message = status_for(
        document_id,
        code,
        sender=Organization(organ_id=organ_id, organ_name=organ_name),
        description=description,
        staff=staff_info,
        timestamp=moment,
    )
    write_atomically(output_path, codec.build(message))
    click.echo(printable(f"status {message.header.status_code}: {output_path}"), err=True)


def _read_json(path: Path) -> Any:
    from kyso.files import read_document
    from kyso_edxml import jsonio

    raw = read_document(path)
    if len(raw) > MAX_HEADER_JSON:
        raise InputError(f"{path}: too large for a header")
    return jsonio.loads(raw, str(path))


_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)")
"""Names Windows maps to devices whatever their extension (``NUL.pdf`` is the null device)."""


def _safe_name(name: str | None, number: int, taken: set[str]) -> str:
    """A file name from an attachment name read from the network: no directory part (``../../x``, ``/etc/x``,
    ``C:\\x``), no control or NUL character, nothing hidden, no Windows device name, no trailing dot or space,
    nothing that collides with a file already written, and at most :data:`kyso.files.NAME_MAX` bytes (issue 9,
    class 11: cut at a character boundary, the extension kept)."""
    from kyso.files import NAME_MAX, fit_name

    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if ch.isprintable() and ch not in '<>:"|?*').strip().lstrip(".").rstrip(". ")
    if not text:
        text = f"attachment-{number}"
    if _RESERVED.match(text):
        text = f"_{text}"
    text = fit_name(text)
    stem, dot, extension = text.rpartition(".")
    if not (dot and stem) or len(extension) > 16:
        stem, extension = text, ""
    candidate, counter = text, 1
    used = {t.lower() for t in taken}
    while candidate.lower() in used:
        counter += 1
        tail = f"-{counter}.{extension}" if extension else f"-{counter}"
        candidate = fit_name(stem, NAME_MAX - len(tail.encode("utf-8"))) + tail
    return candidate
