#!/usr/bin/env python3
"""Regenerate ``auditor/scan/cloud_clients.json``: the methods of Google's Cloud client
libraries for Workspace APIs (Chat's ``ChatServiceClient``, Meet's ``SpacesServiceClient``
and ``ConferenceRecordsServiceClient``), each mapped to the REST method it calls.

Each library is generated from a service definition in the googleapis repository, whose
every RPC states the HTTP request it stands for (``option (google.api.http) = { post:
"/v1/{parent=spaces/*}/messages" ... }``). That request, with each path variable given a
sample value, is matched against the method table (``policies/api-methods.json``), as
``scan-code`` matches a raw HTTP call: an RPC whose request fits exactly one method is
mapped to it, with its HTTP rule kept as the evidence; any other is left out and named.

Usage (no network is used; the .proto files are read from disk)::

    python scripts/cloud_clients.py chat_service.proto=<commit> meet_service.proto=<commit>
    python scripts/cloud_clients.py --check ...   # exit 1 when the committed file differs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

OUTPUT = REPO_ROOT / "auditor" / "scan" / "cloud_clients.json"
SOURCE = "https://github.com/googleapis/googleapis/blob/{commit}/{path}"
# Each service the file maps: its proto service, the client class the libraries name after
# it, the proto file's path in googleapis, the REST API (name, version), and the module each
# language imports it from.
SERVICES = (
    ("ChatService", "ChatServiceClient", "google/chat/v1/chat_service.proto", ("chat", "v1"),
     {"python": "google.apps.chat_v1", "javascript": "@google-apps/chat", "java": "com.google.chat.v1"}),
    ("SpacesService", "SpacesServiceClient", "google/apps/meet/v2/service.proto", ("meet", "v2"),
     {"python": "google.apps.meet_v2", "javascript": "@google-apps/meet", "java": "com.google.apps.meet.v2"}),
    ("ConferenceRecordsService", "ConferenceRecordsServiceClient", "google/apps/meet/v2/service.proto",
     ("meet", "v2"), {"python": "google.apps.meet_v2", "javascript": "@google-apps/meet",
                      "java": "com.google.apps.meet.v2"}),
)
_SERVICE = re.compile(r"^service\s+(\w+)\s*\{(.*?)^\}", re.MULTILINE | re.DOTALL)
_RPC = re.compile(r"\brpc\s+(\w+)\s*\(.*?option\s*\(google\.api\.http\)\s*=\s*\{\s*(get|post|put|patch|delete)\s*:"
                  r"\s*\"([^\"]+)\"", re.DOTALL)
_HOST = re.compile(r"option\s*\(google\.api\.default_host\)\s*=\s*\"([^\"]+)\"")
_VARIABLE = re.compile(r"\{[\w.]+(?:=([^}]*))?\}")


def sample_path(template: str) -> str:
    """The path of a request the template stands for, each variable given ``X`` for each of
    its segments (``{parent=spaces/*}`` is ``spaces/X``)."""
    def value(match: re.Match[str]) -> str:
        pattern = match.group(1) or "*"
        return pattern.replace("**", "X").replace("*", "X")
    return _VARIABLE.sub(value, template)


def service_methods(text: str, service: str, table) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Each RPC of ``service`` in the proto ``text`` whose HTTP rule fits one REST method:
    its name -> {method, http}; and the RPCs that fit none or several."""
    body = next((match.group(2) for match in _SERVICE.finditer(text) if match.group(1) == service), None)
    if body is None:
        raise SystemExit(f"no service {service} in the proto file")
    host = _HOST.search(body)
    if host is None:
        raise SystemExit(f"service {service} states no default host")
    mapped: dict[str, dict[str, str]] = {}
    left: list[str] = []
    for rpc in _RPC.finditer(body):
        name, verb, template = rpc.groups()
        methods, _ = table.match_url(f"https://{host.group(1)}{sample_path(template)}", verb.upper())
        if len(methods) == 1:
            mapped[name] = {"method": methods[0].id, "http": f"{verb}: {template}"}
        else:
            left.append(name)
    return mapped, left


def build(protos: dict[str, tuple[str, str]]) -> tuple[dict, list[str]]:
    """The file's content from ``protos`` (googleapis path -> (text, commit)), and the RPCs
    left out."""
    from auditor.scan.methods import load_method_table

    table = load_method_table()
    services, left = [], []
    for service, client, path, (api, version), packages in SERVICES:
        text, commit = protos[path]
        methods, unmapped = service_methods(text, service, table)
        left += [f"{service}.{name}" for name in unmapped]
        services.append({"client": client, "api": api, "version": version, "packages": packages,
                         "source": SOURCE.format(commit=commit, path=path), "methods": methods})
    return {"clients_version": 1, "services": services}, left


def render(content: dict) -> str:
    return json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("protos", nargs="+", metavar="FILE=COMMIT",
                        help="a .proto file of a service (chat_service.proto, Meet's service.proto) and the "
                             "googleapis commit it was read at")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file differs")
    args = parser.parse_args()
    protos: dict[str, tuple[str, str]] = {}
    for given in args.protos:
        file, _, commit = given.partition("=")
        text = Path(file).read_text(encoding="utf-8")
        package = re.search(r"^package\s+([\w.]+)\s*;", text, re.MULTILINE)
        name = "service.proto" if package and package.group(1).startswith("google.apps.meet") else "chat_service.proto"
        path = next(path for _, _, path, _, _ in SERVICES if path.endswith("/" + name))
        protos[path] = (text, commit)
    content, left = build(protos)
    text = render(content)
    for name in left:
        print(f"left out (its request fits no single REST method): {name}", file=sys.stderr)
    if args.check:
        return 0 if OUTPUT.read_text(encoding="utf-8") == text else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.name} ({sum(len(service['methods']) for service in content['services'])} methods)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
