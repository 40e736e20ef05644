"""The OpenAPI 3.1 description of the service (``/openapi.json``), rendered at ``/docs`` by the page shipped in
``static/docs.html`` (no CDN: the renderer is Kyso's own few lines of JavaScript)."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_OPTIONS = {
    "revocation": {"type": "string", "enum": ["off", "soft", "hard"], "description": "default: the service's"},
    "at": {"type": "string", "description": "validate as of this moment (ISO 8601), e.g. 2026-11-22T10:05:30+07:00"},
    "lang": {"type": "string", "enum": ["vi", "en"], "description": "language of error messages"},
    "trust": {"type": "string", "description": "a trust set of the configuration; default: the service's"},
}


def _upload(description: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": description},
                        **_OPTIONS,
                    },
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["content"],
                    "properties": {
                        "content": {"type": "string", "contentEncoding": "base64", "description": description},
                        "name": {"type": "string", "description": "file name shown in the report"},
                        **_OPTIONS,
                    },
                }
            },
        },
    }


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "bad request (malformed multipart or JSON, bad option)",
        401: "missing, unknown or revoked API key",
        413: "request larger than the service's limit",
        415: "unsupported media type or document format",
        422: "unusable document (malformed, encrypted ...)",
        429: "rate limit of the API key or client address reached",
        503: "time limit reached; try again later (Retry-After)",
    }
    return {str(s): {"description": text[s], "content": {"application/json": {"schema": _ERROR}}} for s in statuses}


_COMMON = (400, 401, 413, 415, 422, 429, 503)


def document() -> dict[str, Any]:
    """The OpenAPI document."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        kyso_version = version("kyso")
    except PackageNotFoundError:
        kyso_version = "0"
    json_ok = {"content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kyso validation service",
            "version": kyso_version,
            "description": "Verification of PDF (PAdES) and edXML (XML-DSig) signatures and certificate validation "
            "against the Vietnamese roots, with revocation in real time. Send the API key as X-API-Key.",
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string", "example": "TOO_LARGE"}, "message": {"type": "string"}},
                }
            },
        },
        "security": [{"apiKey": []}, {}],
        "paths": {
            "/api/v1/verify": {
                "post": {
                    "summary": "Verify every signature of a document (the report of kyso verify --format json)",
                    "requestBody": _upload("the signed document: PDF, edXML, or any format a plugin adds"),
                    "responses": {"200": {"description": "the verification report", **json_ok}, **_errors(*_COMMON)},
                }
            },
            "/api/v1/report.pdf": {
                "post": {
                    "summary": 'The printable report "Kết quả kiểm tra chữ ký số" of a document',
                    "requestBody": _upload("the signed document"),
                    "responses": {
                        "200": {"description": "PDF", "content": {"application/pdf": {}}},
                        **_errors(*_COMMON),
                    },
                }
            },
            "/api/v1/certificates/validate": {
                "post": {
                    "summary": "Validate a certificate: chain, validity, key usage, revocation",
                    "requestBody": _upload("the certificate, PEM or DER (a PEM file may add its intermediates)"),
                    "responses": {"200": {"description": "the certificate report", **json_ok}, **_errors(*_COMMON)},
                }
            },
            "/api/v1/trust": {
                "get": {
                    "summary": "The trust anchors in use, with SHA-256 fingerprints",
                    "responses": {"200": {"description": "store and trust sets", **json_ok}},
                }
            },
            "/api/v1/links/{id}": {
                "get": {
                    "summary": "Verify the document a one-stop-shop QR code names (/verify/{id} shows it to people)",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "the verification report", **json_ok},
                        **_errors(401, 429, 503),
                    },
                }
            },
            "/api/v1/words": {
                "get": {
                    "summary": "The words of the page (verdicts, reasons, labels) in vi or en",
                    "responses": {"200": {"description": "labels", **json_ok}},
                }
            },
            "/services/rest/validation/validateSignature": {
                "post": {
                    "summary": "DSS-compatible validation (EU DSS 6 REST): a SimpleReport",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["signedDocument"],
                                    "properties": {
                                        "signedDocument": {
                                            "type": "object",
                                            "properties": {
                                                "bytes": {"type": "string", "contentEncoding": "base64"},
                                                "name": {"type": "string"},
                                            },
                                        },
                                        "validationTime": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"200": {"description": "{SimpleReport: ...}", **json_ok}, **_errors(*_COMMON)},
                }
            },
            "/health": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok", **json_ok}}}},
        },
    }
