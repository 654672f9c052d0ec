"""A manifest whose free text tries every trick on Markdown and HTML readers."""

from __future__ import annotations

import yaml

SCRIPT = "<script>window.pwned = 1</script>"
IMAGE = "![x](http://attacker.example/x.png)"

HOSTILE = {
    "manifest_version": 1,
    "app": {
        "name": f"{SCRIPT} | Evil {IMAGE}",
        "developer": "Evil | Corp **bold** [click](javascript:alert(1)) &amp; co",
        "type": "web",
        "description": "<img src=http://attacker.example/i.png onerror=window.pwned=2>\n# not a heading\n- not a list\n"
                       "| a | b |\n|---|---|\n| c | d |",
        "homepage_url": "javascript://example.com/%0Awindow.pwned=3",
        "privacy_policy_url": "https://evil.example/\"><script>window.pwned=4</script>",
        "data_deletion_docs_url": "https://evil.example/delete?a=1&b=<b>x</b>",
        "limited_use_statement": {"url": "https://evil.example/limited-use", "text": SCRIPT},
        "security_contact": "<b>sec@evil.example",
    },
    "use_cases": [{"api": "gmail", "use_case": "productivity", "description": "| broken | table |\n1. not a list"}],
    "scopes": [
        {"scope": "gmail.readonly", "justification": f"Reads mail | {IMAGE} {SCRIPT}",
         "features": ["<i>f</i>", "a|b", "`code`"], "requested": "incremental"},
        {"scope": "https://evil.example/<script>window.pwned=5</script>", "justification": "<iframe src=x>"},
    ],
    "data": [{"id": "d1", "description": f"Line one\nline two | cell {IMAGE}", "source_scopes": ["gmail.readonly"],
              "purposes": ["user_facing_feature"]}],
    "storage": [{"id": "s1", "data": ["d1"], "location": "cloud_provider", "region": SCRIPT,
                 "encryption_at_rest": {"enabled": True, "algorithm": "AES|256 `code` <b>", "key_management": "kms"},
                 "retention": "P1Y2M3W4DT5H6M7.5S"}],
    "transfers": [{"id": "t1", "recipient": f"<b>Bold</b> | pipe {IMAGE}", "recipient_type": "service_provider",
                   "data": ["d1"], "purpose": "provide_feature", "user_consent": True,
                   "transport": {"protocol": "https", "tls_min_version": "1.3"}}],
    "human_access": [{"role": SCRIPT, "data": ["d1"], "basis": "security"}],
    "security": {"https_only": True},
}


def write_hostile(folder) -> str:
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(HOSTILE, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return str(path)
