"""A plain wheel install carries the message files and templates, and disclose works from it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import EXAMPLES, REPO


def test_installed_wheel_writes_a_french_disclosure(tmp_path):
    dist, target = tmp_path / "dist", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
                   cwd=REPO, check=True, capture_output=True, timeout=300)
    [wheel] = dist.glob("workspace_auditor-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    completed = subprocess.run(
        [sys.executable, "-m", "auditor", "disclose", str(EXAMPLES / "inbox-digest.yaml"), "--lang", "fr",
         "--format", "html"],
        cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert completed.returncode == 0, completed.stderr.decode()
    html = completed.stdout.decode("utf-8")
    assert '<html lang="fr">' in html and "Conservées pendant 7 jours" in html
    probe = "import auditor.disclosure.i18n as i; print(i.MESSAGES_DIR)"
    where = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60)
    assert where.stdout.strip() == str(target / "auditor" / "disclosure" / "messages")
