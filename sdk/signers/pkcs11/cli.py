"""``kyso tokens``: the PKCS#11 modules found on this machine, the tokens in each and their certificates, so a văn
thư can pick the one to sign with (``--signer pkcs11 --module ... --token-label ... --key-label ...``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kyso.cli.options import echo_json, format_option, lang_option
from kyso.text import printable

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "none": "Không tìm thấy thư viện PKCS#11 nào ở các thư mục thường dùng ({bits}-bit). Cài phần mềm của USB "
        "token, hoặc chỉ rõ: kyso tokens --module ĐƯỜNG_DẪN",
        "module": "Thư viện PKCS#11: {path}",
        "unusable": "  không dùng được: {error}",
        "no_token": "  không có USB token nào được cắm",
        "token": "  USB token {label!r} (khe {slot}, số sê-ri {serial}, {maker} {model})",
        "pin": "    Cảnh báo mã PIN: {flags}",
        "no_cert": "    không có chứng thư số nào",
        "cert": "    Chứng thư số {label!r} (id {id}){key}",
        "has_key": ", có khoá ký",
        "holder": "      Chủ thể: {holder}",
        "issuer": "      Tổ chức cấp: {issuer}",
        "serial": "      Số hiệu: {serial}",
        "validity": "      Hiệu lực: từ {not_before} đến {not_after}",
        "usage": "      Mục đích sử dụng khoá: {usage}",
        "use": "    Ký bằng: --signer pkcs11 --module {path} --token-label {label} --key-id {id} --pin-env BIEN",
        "count_low": "còn ít lần thử",
        "final_try": "còn một lần thử",
        "locked": "đã bị khoá",
        "digital_signature": "ký số",
        "non_repudiation": "chống chối bỏ",
        "key_encipherment": "mã hoá khoá",
        "data_encipherment": "mã hoá dữ liệu",
        "key_agreement": "thoả thuận khoá",
        "key_cert_sign": "ký chứng thư",
        "crl_sign": "ký danh sách thu hồi",
        "unknown_usage": "không ghi",
    },
    "en": {
        "none": "No PKCS#11 module found in the usual places ({bits}-bit). Install the token's software, or name "
        "one: kyso tokens --module PATH",
        "module": "PKCS#11 module: {path}",
        "unusable": "  unusable: {error}",
        "no_token": "  no token plugged in",
        "token": "  Token {label!r} (slot {slot}, serial {serial}, {maker} {model})",
        "pin": "    PIN warning: {flags}",
        "no_cert": "    no certificate",
        "cert": "    Certificate {label!r} (id {id}){key}",
        "has_key": ", with its key",
        "holder": "      Holder: {holder}",
        "issuer": "      Issuer: {issuer}",
        "serial": "      Serial: {serial}",
        "validity": "      Valid: from {not_before} to {not_after}",
        "usage": "      Key usage: {usage}",
        "use": "    Sign with: --signer pkcs11 --module {path} --token-label {label} --key-id {id} --pin-env VAR",
        "count_low": "few tries left",
        "final_try": "one try left",
        "locked": "locked",
        "digital_signature": "digital signature",
        "non_repudiation": "non-repudiation",
        "key_encipherment": "key encipherment",
        "data_encipherment": "data encipherment",
        "key_agreement": "key agreement",
        "key_cert_sign": "certificate signing",
        "crl_sign": "CRL signing",
        "unknown_usage": "not stated",
    },
}


@click.command("tokens")
@click.option(
    "--module",
    "module_path",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Look at this PKCS#11 module only (default: the known modules in the usual places).",
)
@format_option()
@lang_option()
def tokens_command(module_path: Path | None, output_format: str, lang: str) -> None:
    """List PKCS#11 modules (USB token drivers), their tokens and certificates (holder, issuer, serial, validity,
    key usage). A module must have this Python's bitness (32 or 64-bit)."""
    from kyso.signers.pkcs11.discovery import describe_module, find_modules, python_bits
    from kyso.signers.pkcs11.signer import load_module

    if module_path is not None:
        load_module(module_path)  # a module named by the user that fails to load is an error (exit 2)
        paths = [str(module_path)]
    else:
        paths = find_modules()
    modules = [describe_module(path) for path in paths]
    if output_format == "json":
        echo_json({"python_bits": python_bits(), "modules": [m.to_dict() for m in modules]})
        return
    words = _WORDS[lang]
    if not modules:
        click.echo(words["none"].format(bits=python_bits()))
        return
    for module in modules:
        for line in _module_lines(module.to_dict(), words):
            click.echo(printable(line))


def _module_lines(module: dict[str, Any], words: dict[str, str]) -> list[str]:
    import shlex

    lines = [words["module"].format(path=module["path"])]
    if module["error"]:
        return [*lines, words["unusable"].format(error=module["error"])]
    if not module["tokens"]:
        lines.append(words["no_token"])
    for token in module["tokens"]:
        lines.append(
            words["token"].format(
                label=token["label"],
                slot=token["slot"],
                serial=token["serial"],
                maker=token["manufacturer"],
                model=token["model"],
            )  # fmt: skip
        )
        if token["pin_flags"]:
            lines.append(words["pin"].format(flags=", ".join(words[f] for f in token["pin_flags"])))
        if token["error"]:
            lines.append(words["unusable"].format(error=token["error"]))
        if not token["certificates"]:
            lines.append(words["no_cert"])
        for cert in sorted(token["certificates"], key=lambda c: (not c["has_key"], c["label"] or "")):
            usage = ", ".join(words[u] for u in cert["key_usage"]) or words["unknown_usage"]
            lines += [
                words["cert"].format(
                    label=cert["label"], id=cert["id"] or "-", key=words["has_key"] if cert["has_key"] else ""
                ),
                words["holder"].format(holder=cert["holder"]),
                words["issuer"].format(issuer=cert["issuer"]),
                words["serial"].format(serial=cert["serial"]),
                words["validity"].format(not_before=cert["not_before"], not_after=cert["not_after"]),
                words["usage"].format(usage=usage),
            ]
            if cert["has_key"] and cert["id"]:
                path, label = shlex.quote(module["path"]), shlex.quote(token["label"])
                lines.append(words["use"].format(path=path, label=label, id=cert["id"]))
    return lines
