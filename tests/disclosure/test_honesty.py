"""The honesty guard: nothing is claimed that the manifest does not support, and audit
failures are never silent."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.disclosure.build import build_disclosure
from auditor.disclosure.render import render_disclosure
from auditor.manifest.load import load_manifest

from tests.helpers import run_wsaudit
from tests.disclosure.support import FORMATS, LANGUAGES, message, read

APP = "Honest Digest"
BASE = {
    "manifest_version": 1,
    "app": {
        "name": APP, "developer": "Candour Ltd", "type": "web",
        "privacy_policy_url": "https://honest.example/privacy",
        "limited_use_statement": {
            "url": "https://honest.example/privacy#limited-use",
            "text": "The use of information received from Workspace APIs will adhere to the Google User Data "
                    "Policy, including the Limited Use requirements.",
        },
        "data_deletion_docs_url": "https://honest.example/help/delete",
    },
    "use_cases": [{"api": "gmail", "use_case": "productivity", "description": "Daily summary.", "user_facing": True}],
    "scopes": [{"scope": "gmail.readonly", "justification": "Read mail to summarise it.", "requested": "incremental",
                "narrower_rejected_because": "metadata has no bodies"}],
    "auth": {"flow": "authorization_code", "token_storage": {"location": "cloud_provider", "encrypted": True,
                                                              "key_management": "kms"}},
    "data": [{"id": "bodies", "description": "Message bodies", "source_scopes": ["gmail.readonly"],
              "purposes": ["user_facing_feature"]}],
    "storage": [{"id": "db", "data": ["bodies"], "location": "cloud_provider", "retention": "P30D",
                 "encryption_at_rest": {"enabled": True, "algorithm": "AES-256-GCM", "key_management": "kms"}}],
    "transfers": [{"id": "llm", "recipient": "Model host", "recipient_type": "service_provider", "data": ["bodies"],
                   "purpose": "provide_feature", "user_consent": True,
                   "transport": {"protocol": "https", "tls_min_version": "1.2"}, "network": "external"}],
    "human_access": [{"role": "support", "data": ["bodies"], "basis": "explicit_user_consent",
                      "consent_documented": True}],
}

NEVER_SOLD = ("commitments.never_sold", "in_product.never_sold", "in_product.never_sold_or_advertising")
NEVER_ADS = ("commitments.never_advertising", "in_product.never_advertising", "in_product.never_sold_or_advertising")


def variant(change) -> dict:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def texts(data: dict, tmp_path) -> dict[tuple[str, str, bool], str]:
    """Visible text of the full disclosure and of the in-product text, by (language, format,
    in_product)."""
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    disclosure = build_disclosure(load_manifest(str(path)).model, ScopeCatalog.load())
    found = {}
    for language in LANGUAGES:
        for output_format in FORMATS:
            for in_product in (False, True):
                output = render_disclosure(disclosure, output_format, language, in_product=in_product)
                found[language, output_format, in_product] = read(output, output_format).text
    return found


def full(data: dict, tmp_path, language: str = "en", output_format: str = "markdown") -> str:
    return texts(data, tmp_path)[language, output_format, False]


def claims(language: str, keys: tuple[str, ...]) -> list[str]:
    return [message(language, key, app=APP) for key in keys]


def assert_never_claimed(data, tmp_path, keys):
    for (language, _, _), text in texts(data, tmp_path).items():
        for claim in claims(language, keys):
            assert claim not in text, (language, claim)


def test_a_clean_manifest_does_get_both_assurances(tmp_path):
    """The positive control: the checks below could fail."""
    for (language, _, in_product), text in texts(BASE, tmp_path).items():
        key = "in_product.never_sold_or_advertising" if in_product else "commitments.never_sold"
        assert message(language, key, app=APP) in text
    full_en = full(BASE, tmp_path)
    assert message("en", "commitments.never_sold", app=APP) in full_en
    assert message("en", "commitments.never_advertising", app=APP) in full_en
    assert re.sub(r"\s+", " ", message("en", "limited_use.statement", app=APP)) in full_en


@pytest.mark.parametrize("recipient_type", ["service_provider", "data_broker", "other"])
def test_a_sale_transfer_never_gets_a_never_sold_line(tmp_path, recipient_type):
    def sell(data):
        data["transfers"].append({"id": "panel", "recipient": "Research panel", "recipient_type": recipient_type,
                                  "data": ["bodies"], "purpose": "sale", "user_consent": True})
    data = variant(sell)
    assert_never_claimed(data, tmp_path, NEVER_SOLD)
    for (language, _, in_product), text in texts(data, tmp_path).items():
        if in_product:
            assert message(language, "in_product.sold") in text
        else:
            assert message(language, "transfer_purpose.sale") in text
            assert message(language, "commitments.sold", app=APP, data="Message bodies") in text
            # Selling data contradicts Limited Use: the affirmation is withheld, the conflict said.
            assert re.sub(r"\s+", " ", message(language, "limited_use.statement", app=APP)) not in text
            assert message(language, "purpose.sale") in text


def test_a_sale_purpose_on_data_never_gets_a_never_sold_line(tmp_path):
    data = variant(lambda d: d["data"][0].update(secondary_purposes=["sale"]))
    assert_never_claimed(data, tmp_path, NEVER_SOLD)


def test_data_brokers_never_get_a_never_sold_line(tmp_path):
    data = variant(lambda d: d["transfers"][0].update(recipient_type="information_reseller"))
    assert_never_claimed(data, tmp_path, NEVER_SOLD)
    full_en = full(data, tmp_path)
    assert message("en", "commitments.brokers", app=APP, recipients="Model host") in full_en


def test_an_advertising_purpose_never_gets_a_never_used_for_ads_line(tmp_path):
    data = variant(lambda d: d["data"][0].update(secondary_purposes=["advertising"]))
    assert_never_claimed(data, tmp_path, NEVER_ADS)
    found = texts(data, tmp_path)
    assert message("en", "commitments.advertising", app=APP, data="Message bodies") in found["en", "html", False]
    assert message("fr", "in_product.advertising") in found["fr", "markdown", True]
    # Data that serves ads may be paid for in kind: "never sold" is not said either.
    assert_never_claimed(data, tmp_path, NEVER_SOLD)


@pytest.mark.parametrize("change", [
    lambda d: d["transfers"][0].update(recipient_type="advertising_platform"),
    lambda d: d["transfers"][0].update(purpose="advertising"),
], ids=["advertising-platform", "advertising-transfer"])
def test_data_sent_for_advertising_never_gets_a_never_sold_line(tmp_path, change):
    data = variant(change)
    assert_never_claimed(data, tmp_path, NEVER_SOLD)
    found = texts(data, tmp_path)
    for language in LANGUAGES:
        # What is done is still said plainly, in both languages.
        assert message(language, "in_product.advertising") in found[language, "markdown", True]


@pytest.mark.parametrize("change", [
    lambda d: d["transfers"][0].update(purpose="advertising"),
    lambda d: d["transfers"][0].update(recipient_type="advertising_platform"),
], ids=["advertising-transfer", "advertising-platform"])
def test_advertising_transfers_never_get_a_never_used_for_ads_line(tmp_path, change):
    assert_never_claimed(variant(change), tmp_path, NEVER_ADS)


def test_undeclared_transfers_support_no_assurance(tmp_path):
    data = variant(lambda d: d.pop("transfers"))
    assert_never_claimed(data, tmp_path, NEVER_SOLD + NEVER_ADS + ("sharing.none", "in_product.not_shared"))
    assert message("fr", "sharing.unavailable") in full(data, tmp_path, "fr")


def test_undeclared_data_supports_no_assurance_and_no_limited_use_statement(tmp_path):
    def strip(d):
        for key in ("data", "storage", "transfers", "human_access"):
            d.pop(key)
        d["app"].pop("limited_use_statement")
    data = variant(strip)
    assert_never_claimed(data, tmp_path, NEVER_SOLD + NEVER_ADS + ("limited_use.statement",))
    full_en = full(data, tmp_path)
    assert re.sub(r"\s+", " ", message("en", "limited_use.undetermined", app=APP)) in full_en
    assert message("en", "storage.unavailable") in full_en
    assert message("en", "human_access.unavailable") in full_en


@pytest.mark.parametrize(("change", "conflict"), [
    (lambda d: d["human_access"][0].update(basis="none"), "conflict.human_access_without_basis"),
    (lambda d: d["transfers"][0].update(user_consent=False), "conflict.transfer_without_consent"),
    (lambda d: d["data"][0].update(purposes=["user_facing_feature", "general_model_training"]),
     "purpose.general_model_training"),
], ids=["human-access-without-basis", "transfer-without-consent", "model-training"])
def test_limited_use_is_not_affirmed_against_the_manifest(tmp_path, change, conflict):
    data = variant(change)
    assert_never_claimed(data, tmp_path, ("limited_use.statement",))
    for language in LANGUAGES:
        assert message(language, conflict) in full(data, tmp_path, language)


def test_undocumented_consent_is_not_called_recorded(tmp_path):
    data = variant(lambda d: d["human_access"][0].update(consent_documented=False))
    assert_never_claimed(data, tmp_path, ("basis.explicit_user_consent_recorded",))
    assert message("en", "basis.explicit_user_consent") in full(data, tmp_path)


def test_the_in_product_text_is_called_shown_only_when_the_app_shows_it(tmp_path):
    shown = variant(lambda d: d.update(disclosure={"in_product": True, "placement": "in_app"}))
    assert message("en", "in_product.intro", app=APP) in full(shown, tmp_path)
    for data in (BASE, variant(lambda d: d.update(disclosure={"in_product": False}))):
        assert_never_claimed(data, tmp_path, ("in_product.intro",))
        assert message("fr", "in_product.intro_summary") in full(data, tmp_path, "fr", "html")


def test_administrator_granted_access_is_not_described_as_the_user_connecting(tmp_path):
    data = variant(lambda d: d.update(auth={"flow": "domain_wide_delegation", "impersonates": "all_users"}))
    found = texts(data, tmp_path)
    assert message("en", "permissions.intro_administrator", app=APP).split(".")[0] in found["en", "markdown", False]
    assert message("fr", "in_product.who_administrator", app=APP, developer="Candour Ltd") in found["fr", "html", True]
    assert message("en", "manage.revoke_administrator", app=APP).split(",")[0] in found["en", "html", False]
    assert_never_claimed(data, tmp_path, ("in_product.who", "manage.revoke_user"))
    assert message("en", "permissions.intro", app=APP).split(",")[0] not in found["en", "markdown", False]


def test_unencrypted_storage_is_said_so(tmp_path):
    data = variant(lambda d: d["storage"][0].update(encryption_at_rest={"enabled": False}))
    full_en = full(data, tmp_path, "en", "html")
    assert message("en", "encryption.off") in full_en
    assert "Encrypted with" not in full_en


def test_a_security_transfer_without_consent_is_allowed(tmp_path):
    data = variant(lambda d: d["transfers"][0].update(purpose="security", user_consent=False))
    full_en = full(data, tmp_path)
    assert re.sub(r"\s+", " ", message("en", "limited_use.statement", app=APP)) in full_en
    assert message("en", "consent.no") in full_en


# ---------------------------------------------------------------- the audit on the command line

RECEIPTS = "examples/manifests/receipt-tracker.yaml"
WARNING = re.compile(r"^examples/manifests/receipt-tracker\.yaml:\d+:\d+: warning: WUD-[A-Z]{2}-\d{3} \(critical\): ",
                     re.M)


def test_audit_failures_are_warnings_on_stderr_and_the_disclosure_is_written(tmp_path):
    out = tmp_path / "disclosure.md"
    result = run_wsaudit("disclose", RECEIPTS, "-o", str(out), "--as-of", "2026-11-21")
    assert result.code == 0, result.stderr
    assert len(WARNING.findall(result.stderr)) == 3  # two LU-1 and one LU-2 failure
    assert result.stdout == ""
    assert message("en", "commitments.never_sold", app="Tallyho Receipts") not in out.read_text(encoding="utf-8")


def test_require_pass_exits_1_and_writes_nothing(tmp_path):
    out = tmp_path / "disclosure.html"
    out.write_text("previous version", encoding="utf-8")
    result = run_wsaudit("disclose", RECEIPTS, "--format", "html", "-o", str(out), "--require-pass",
                         "--as-of", "2026-11-21")
    assert result.code == 1, result.stderr
    assert out.read_text(encoding="utf-8") == "previous version"
    assert len(WARNING.findall(result.stderr)) == 3
    assert "no disclosure written (--require-pass)" in result.stderr
    fresh = tmp_path / "new.md"
    result = run_wsaudit("disclose", RECEIPTS, "-o", str(fresh), "--require-pass", "--as-of", "2026-11-21")
    assert result.code == 1 and not fresh.exists(), result.stderr
    result = run_wsaudit("disclose", RECEIPTS, "--require-pass", "--as-of", "2026-11-21")
    assert result.code == 1 and result.stdout == "", (result.stdout, result.stderr)


def test_fail_on_sets_the_threshold(tmp_path):
    # Huddlebird fails high and medium rules, nothing critical.
    chat = "examples/manifests/chat-standup-bot.yaml"
    critical = run_wsaudit("disclose", chat, "--fail-on", "critical", "--require-pass", "--as-of", "2026-11-21")
    assert critical.code == 0 and critical.stderr == "" and critical.stdout.startswith("# Huddlebird"), \
        (critical.stdout, critical.stderr)
    high = run_wsaudit("disclose", chat, "--fail-on", "high", "--require-pass", "--as-of", "2026-11-21")
    assert high.code == 1 and " warning: WUD-SE-010 (high): " in high.stderr and "(medium)" not in high.stderr, \
        high.stderr
    medium = run_wsaudit("disclose", chat, "--fail-on", "medium", "--as-of", "2026-11-21")
    assert medium.code == 0 and "(medium)" in medium.stderr, medium.stderr
    never = run_wsaudit("disclose", RECEIPTS, "--fail-on", "never", "--require-pass")
    assert never.code == 0 and never.stderr == "", never.stderr


def test_a_passing_manifest_prints_no_warning(tmp_path):
    result = run_wsaudit("disclose", "examples/manifests/inbox-digest.yaml", "--require-pass", "--fail-on", "info",
                         "--as-of", "2026-11-21")
    assert result.code == 0 and result.stderr == "", result.stderr
