"""The machine-readable result of ``wsaudit validate --format json``."""

from __future__ import annotations

import json

from auditor.model.errors import AuditorError
from auditor.model.text_safety import json_safe


def render_validation_json(results: list[tuple[str, list[AuditorError]]]) -> str:
    """One entry per manifest, in the order given, each with its located errors."""
    manifests = [
        {
            "path": path,
            "valid": not errors,
            "errors": [
                {"line": error.line, "column": error.column, "message": error.message, "hint": error.hint}
                for error in errors
            ],
        }
        for path, errors in results
    ]
    document = {"valid": all(entry["valid"] for entry in manifests), "manifests": manifests}
    # Paths and messages come from outside: no control or bidi character raw in the text.
    return json_safe(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
