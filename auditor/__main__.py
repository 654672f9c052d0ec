"""``python -m auditor`` runs the ``wsaudit`` command."""

from __future__ import annotations

from auditor.cli.main import run

if __name__ == "__main__":
    run()
