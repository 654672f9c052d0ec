"""Workspace Auditor: audit Google Workspace API integrations against Google's
Workspace API User Data and Developer Policy."""

from __future__ import annotations

__version__ = "0.1.0"
