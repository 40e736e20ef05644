"""``kyso verify a.pdf b.pdf DIR/``: several inputs and folders in one call, verified in this process (for
thousands, ``kyso batch verify``). One JSON object ``{"documents": [...]}``, one report per document; a document
that cannot be read is an entry with its ``error``. Passed only when every document is TOTAL_PASSED."""

from __future__ import annotations

from typing import Any

from kyso.batch.operations import Verify, VerifyOptions
from kyso.batch.runner import InProcess, run_batch
from kyso.batch.sources import expand


def verify_several(inputs: tuple[str, ...], options: VerifyOptions, *, lang: str) -> tuple[list[dict[str, Any]], bool]:
    """The reports of every document of ``inputs`` (files, folders, globs, ``@list``) and whether all passed."""
    documents: list[dict[str, Any]] = []

    def each(item: dict[str, Any]) -> None:
        if item.get("report") is not None:
            documents.append(item["report"] | {"path": item["input"]})
        else:
            documents.append(
                {
                    "document": item.get("relative") or item["input"],
                    "path": item["input"],
                    "indication": None,
                    "error": item.get("reason"),
                }
            )

    run_batch(expand(inputs), Verify(options), engine=InProcess(), on_item=each, lang=lang)
    return documents, bool(documents) and all(d["indication"] == "TOTAL_PASSED" for d in documents)


def render_several(documents: list[dict[str, Any]], lang: str) -> str:
    """The text form: one line per document (its verdict or why it could not be read), then the count."""
    from kyso.text import printable

    vi = lang == "vi"
    lines = []
    for document in documents:
        verdict = document["indication"] or (("không đọc được: " if vi else "unreadable: ") + str(document["error"]))
        lines.append(printable(f"{document['path']}: {verdict}"))
    passed = sum(d["indication"] == "TOTAL_PASSED" for d in documents)
    lines.append(f"{passed}/{len(documents)} " + ("văn bản hợp lệ" if vi else "documents TOTAL_PASSED"))
    return "\n".join(lines) + "\n"


__all__ = ["render_several", "verify_several"]
