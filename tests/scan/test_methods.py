"""The method table: generated from the pinned discovery documents, and the lookups on it."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from auditor.scan.methods import load_method_table
from tests.helpers import REPO


def _script():
    spec = importlib.util.spec_from_file_location("refresh_scope_catalog", REPO / "scripts" / "refresh_scope_catalog.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("refresh_scope_catalog", module)
    spec.loader.exec_module(module)
    return module


def test_committed_method_table_is_what_the_script_generates():
    _script()
    from scope_catalog.methods import build_methods, render_methods
    from scope_catalog.discovery import PINNED_CLIENT_VERSION

    generated = render_methods(build_methods(client_version=PINNED_CLIENT_VERSION))
    assert (REPO / "policies" / "api-methods.json").read_text(encoding="utf-8") == generated, (
        "run: python scripts/refresh_scope_catalog.py")


def test_a_method_has_its_verb_path_and_scopes():
    method = load_method_table().by_id["gmail.users.labels.list"]
    assert (method.verb, method.paths) == ("GET", ("gmail/v1/users/{userId}/labels",))
    assert "https://www.googleapis.com/auth/gmail.labels" in method.scopes
    assert "https://www.googleapis.com/auth/gmail.send" not in method.scopes


def test_urls_match_the_most_specific_template_of_the_verb():
    table = load_method_table()
    found, _ = table.match_url("https://gmail.googleapis.com/gmail/v1/users/me/messages/send", "POST")
    assert [method.id for method in found] == ["gmail.users.messages.send"]
    found, _ = table.match_url("https://www.googleapis.com/drive/v3/files/abc", "DELETE")
    assert [method.id for method in found] == ["drive.files.delete"]
    found, known = table.match_url("https://storage.googleapis.com/b/o", "GET")
    assert (found, known) == ([], False)


@pytest.mark.parametrize("verb, url, method", [
    ("POST", "https://www.googleapis.com/upload/drive/v3/files?uploadType=multipart", "drive.files.create"),
    ("PATCH", "https://www.googleapis.com/upload/drive/v3/files/abc?uploadType=media", "drive.files.update"),
    ("POST", "https://www.googleapis.com/upload/drive/v2/files", "drive.files.insert"),
    ("POST", "https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=media",
     "gmail.users.messages.send"),
    ("POST", "https://chat.googleapis.com/upload/v1/spaces/s/messages/m/attachments:upload", "chat.media.upload"),
])
def test_a_media_upload_url_starts_at_the_host_not_at_the_service_path(verb, url, method):
    # Discovery gives an upload's path from the host (`/upload/drive/v3/files`), unlike the
    # method's own path, which follows the service's (`drive/v3/`).
    found, known = load_method_table().match_url(url, verb)
    assert ([found_method.id for found_method in found], known) == ([method], True)


def test_a_url_is_matched_as_by_comparing_it_with_every_template_of_the_table():
    # The table compares a URL only with the templates of its host (every host's, on the
    # legacy www.googleapis.com) that share its first segment. Here each template's sample
    # URL, on its host and on the legacy one, with a segment more or less, for each verb, is
    # matched as a walk over every template matches it.
    import re

    from auditor.scan.methods import _template_regex

    table = load_method_table()
    templates = [(api.host, *_template_regex(path), method) for api in table.apis.values()
                 for method in _methods(api.root) for path in method.paths]
    hosts = {host for host, _, _, _ in templates}

    def walked(url: str, verb: str | None) -> tuple[list[str], bool]:
        host, _, path = url.removeprefix("https://").partition("/")
        path = path.partition("?")[0]
        legacy = host == "www.googleapis.com" and not re.match(r"v\d", path)
        fits = [(literal, method.id) for template_host, pattern, literal, method in templates
                if (template_host == host or legacy) and verb in (None, method.verb) and pattern.fullmatch(path)]
        top = max((literal for literal, _ in fits), default=0)
        return sorted({method for literal, method in fits if literal == top}), host in hosts

    urls = []
    for host, pattern, _, _ in templates:
        sample = re.sub(r"\[\^/\]\+|\.\+", "x1", pattern.pattern).replace("\\", "")  # each parameter: x1
        for place in (host, "www.googleapis.com"):
            urls += [f"https://{place}/{sample}", f"https://{place}/{sample}/more?alt=media",
                     f"https://{place}/{sample.rpartition('/')[0]}"]
    urls.append("https://storage.googleapis.com/b/o")
    mismatched = [(url, verb) for url in urls for verb in (None, "GET", "POST", "PATCH", "DELETE")
                  if (lambda found: ([method.id for method in found[0]], found[1]))(table.match_url(url, verb))
                  != walked(url, verb)]
    assert (len(urls) > 5000, mismatched) == (True, [])


def test_a_template_that_starts_with_a_parameter_fits_any_first_segment():
    from auditor.scan.methods import MethodTable

    table = MethodTable({"apis": [{
        "name": "demo", "version": "v1", "family": "demo", "root": "https://demo.googleapis.com/", "service_path": "",
        "scopes": ["https://www.googleapis.com/auth/demo"],
        "methods": {"items.get": {"id": "demo.items.get", "verb": "GET", "paths": ["{+name}/items"], "scopes": [0]}},
    }]})
    found, known = table.match_url("https://demo.googleapis.com/spaces/s1/items", "GET")
    assert ([method.id for method in found], known) == (["demo.items.get"], True)


def test_an_api_without_version_is_its_newest_stable_one():
    assert load_method_table().api("drive").version == "v3"


def test_a_method_that_can_return_the_content_itself_is_marked_from_discovery():
    apis = load_method_table().apis.values()
    downloads = sorted(f"{api.name} {api.version} {method.chain}" for api in apis for method in _methods(api.root)
                       if method.media_download)
    assert downloads == ["chat v1 media.download", "drive v2 files.export", "drive v2 files.get",
                         "drive v3 files.export", "drive v3 files.get", "drive v3 revisions.get",
                         "keep v1 media.download"]


def _methods(node):
    yield from node.methods.values()
    for child in node.resources.values():
        yield from _methods(child)


def test_each_cloud_client_method_is_the_rest_method_its_http_rule_names():
    # The evidence kept with each RPC (its HTTP rule from Google's service definition) is
    # matched again against the method table, as the generator matched it.
    import json

    from tests.helpers import REPO

    spec = importlib.util.spec_from_file_location("cloud_clients_script", REPO / "scripts" / "cloud_clients.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    table = load_method_table()
    document = json.loads((REPO / "auditor" / "scan" / "cloud_clients.json").read_text(encoding="utf-8"))
    mismatched = []
    for service in document["services"]:
        host = table.api(service["api"], service["version"]).host
        assert service["source"].startswith("https://github.com/googleapis/googleapis/blob/")
        for rpc, entry in service["methods"].items():
            verb, _, template = entry["http"].partition(": ")
            found, _ = table.match_url(f"https://{host}{script.sample_path(template)}", verb.upper())
            if [method.id for method in found] != [entry["method"]]:
                mismatched.append(rpc)
    assert mismatched == []
