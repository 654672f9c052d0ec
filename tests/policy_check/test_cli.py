"""``wsaudit check-policy`` through the real command: formats, exit codes, hostile pages,
and fetching over https from a real TLS server on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from auditor.reporters import FORMATS
from tests.helpers import DESK_PLANNER, run_wsaudit

POLICY = ("<html><body><h1>Privacy</h1>\n<p>Desk Planner reads and edits events in your Google Calendar.</p>\n"
          "<p>We never share your data.</p></body></html>\n")
HOSTILE = ("<html><head><title>Policy</title><script>alert('head-script')</script></head>\n"
           "<body onload=\"alert('onload')\">\n"
           "<p>We read events in your Google Calendar <img src=x onerror=\"alert('onerror')\">"
           " <a href=\"javascript:alert('link')\">here</a>.</p>\n"
           "<p>&lt;script&gt;alert('entity')&lt;/script&gt; We never share your data "
           "\x1b[31mred\x1b[0m \u202eevil\u202c [x](javascript:alert('md')) <b onclick=\"x()\">bold</b>.</p>\n"
           "</body></html>\n")


@pytest.fixture
def files(tmp_path: Path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(DESK_PLANNER, encoding="utf-8")
    policy = tmp_path / "policy.html"
    policy.write_text(POLICY, encoding="utf-8")
    return manifest, policy


@pytest.mark.parametrize("output_format", sorted(FORMATS))
def test_every_report_format_renders_the_policy_findings(files, tmp_path, output_format):
    manifest, policy = files
    out = tmp_path / f"report.{output_format}"
    run = run_wsaudit("check-policy", str(policy), "--manifest", str(manifest), "--format", output_format,
                      "-o", str(out))
    assert run.code == 1, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "PPC-TR8-008" in text and "PPC-LU5-001" in text  # two of its failures


def test_json_report_findings_point_into_the_policy_and_name_the_manifest_element(files):
    manifest, policy = files
    run = run_wsaudit("check-policy", str(policy), "--manifest", str(manifest), "--format", "json")
    assert run.code == 1, run.stderr
    findings = json.loads(run.stdout)["findings"]
    claim = next(f for f in findings if f["rule_id"] == "PPC-TR8-008")
    assert (claim["manifest"], claim["pointer"], claim["line"], claim["column"]) == (str(policy), "/transfers/0", 3, 7)
    assert f"{manifest}:" in claim["message"] and "transfers/0 (mailer)" in claim["message"]


def test_same_input_gives_byte_identical_reports(files):
    manifest, policy = files
    runs = [run_wsaudit("check-policy", str(policy), "--manifest", str(manifest), "--format", "sarif")
            for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout


def test_fail_on_never_exits_zero(files):
    manifest, policy = files
    run = run_wsaudit("check-policy", str(policy), "--manifest", str(manifest), "--fail-on", "never")
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("output_format", ["html", "markdown", "text"])
def test_hostile_html_never_reaches_a_report_unescaped(tmp_path, output_format):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(DESK_PLANNER, encoding="utf-8")
    policy = tmp_path / "hostile.html"
    policy.write_text(HOSTILE, encoding="utf-8")
    run = run_wsaudit("check-policy", str(policy), "--manifest", str(manifest), "--format", output_format, "-v")
    assert run.code == 1, run.stderr
    report = run.stdout
    assert "never share" in report  # the claim's passage is quoted…
    for needle in ("alert('head-script')", "onload", "onerror", "onclick", "javascript:", "<script>alert",
                   "\x1b", "\u202e", "\u202c", "<b ", "<img"):
        assert needle not in report, needle  # …but nothing hostile comes with it


def test_http_url_is_refused_as_bad_usage(files):
    manifest, _ = files
    run = run_wsaudit("check-policy", "http://127.0.0.1:9/privacy", "--manifest", str(manifest))
    assert run.code == 2, run.stderr
    assert "only https" in run.stderr


def test_unreachable_https_url_exits_3(files):
    manifest, _ = files
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = run_wsaudit("check-policy", f"https://127.0.0.1:{port}/privacy", "--manifest", str(manifest),
                      "--timeout", "5")
    assert run.code == 3, run.stderr
    assert f"https://127.0.0.1:{port}/privacy: error:" in run.stderr


@pytest.mark.parametrize("content, needle", [(b"abc\x00", "binary"), (b"\xff\xfe\xfa", "not valid"), (b"  \n", "empty")])
def test_unusable_policy_file_exits_2_with_its_name(files, tmp_path, content, needle):
    manifest, _ = files
    policy = tmp_path / "bad.txt"
    policy.write_bytes(content)
    run = run_wsaudit("check-policy", str(policy), "--manifest", str(manifest))
    assert run.code == 2, run.stderr
    assert run.stderr.startswith(f"{policy}: error:") and needle in run.stderr


def test_missing_policy_file_exits_2(files, tmp_path):
    manifest, _ = files
    run = run_wsaudit("check-policy", str(tmp_path / "nope.md"), "--manifest", str(manifest))
    assert run.code == 2, run.stderr
    assert "no such file" in run.stderr


def test_policy_over_the_size_limit_exits_2(files, tmp_path):
    manifest, _ = files
    policy = tmp_path / "big.txt"
    policy.write_text("word " * 300_000, encoding="utf-8")
    run = run_wsaudit("check-policy", str(policy), "--manifest", str(manifest), "--max-size", "1MiB")
    assert run.code == 2, run.stderr
    assert "limit" in run.stderr


# ---------------------------------------------------------------------- real TLS server


def _make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made now (openssl, else the cryptography package)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    if shutil.which("openssl"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                        "-out", str(cert)], check=True, capture_output=True)
        return cert, key
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        port = self.server.server_address[1]
        routes = {
            "/privacy": (200, {"Content-Type": "text/html; charset=utf-8"}, POLICY.encode("utf-8")),
            "/moved": (302, {"Location": "/privacy"}, b""),
            "/elsewhere": (302, {"Location": f"https://localhost:{port}/privacy"}, b""),
            "/downgrade": (302, {"Location": f"http://127.0.0.1:{port}/privacy"}, b""),
            "/huge": (200, {"Content-Type": "text/plain"}, b"word " * 400_000),
            "/gone": (404, {"Content-Type": "text/plain"}, b"not here"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = _make_certificate(folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {**os.environ, "REQUESTS_CA_BUNDLE": str(cert)}
    yield f"https://127.0.0.1:{server.server_address[1]}", env
    server.shutdown()
    server.server_close()


def test_policy_is_fetched_over_https(files, tls_server):
    manifest, _ = files
    base, env = tls_server
    run = run_wsaudit("check-policy", f"{base}/privacy", "--manifest", str(manifest), "--format", "json", env=env)
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    access = [f for f in report["findings"] if f["rule_id"] == "PPC-TR8-001"]
    assert {f["status"] for f in access} == {"pass"}
    assert {f["manifest"] for f in access} == {f"{base}/privacy"}
    read = next(f for f in access if "read access" in f["message"])
    assert (read["line"], read["column"]) == (2, 17)  # "reads" in the page's source, tags counted


def test_same_host_redirect_is_followed(files, tls_server):
    manifest, _ = files
    base, env = tls_server
    run = run_wsaudit("check-policy", f"{base}/moved", "--manifest", str(manifest), env=env)
    assert run.code == 1, run.stderr


@pytest.mark.parametrize("path", ["/elsewhere", "/downgrade"])
def test_redirect_to_another_host_or_to_http_is_refused(files, tls_server, path):
    manifest, _ = files
    base, env = tls_server
    run = run_wsaudit("check-policy", f"{base}{path}", "--manifest", str(manifest), env=env)
    assert run.code == 3, run.stderr
    assert "refused a redirect" in run.stderr


def test_page_over_the_size_cap_is_refused(files, tls_server):
    manifest, _ = files
    base, env = tls_server
    run = run_wsaudit("check-policy", f"{base}/huge", "--manifest", str(manifest), "--max-size", "1MiB", env=env)
    assert run.code == 3, run.stderr
    assert "limit" in run.stderr


def test_error_status_exits_3(files, tls_server):
    manifest, _ = files
    base, env = tls_server
    run = run_wsaudit("check-policy", f"{base}/gone", "--manifest", str(manifest), env=env)
    assert run.code == 3, run.stderr
    assert "HTTP 404" in run.stderr


def test_untrusted_certificate_exits_3(files, tls_server):
    manifest, _ = files
    base, env = tls_server
    run = run_wsaudit("check-policy", f"{base}/privacy", "--manifest", str(manifest),
                      env={k: v for k, v in env.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")})
    assert run.code == 3, run.stderr
    assert "certificate" in run.stderr


def test_a_report_over_the_policy_file_is_refused_and_the_policy_kept(files):
    manifest, policy = files
    before = policy.read_bytes()
    result = run_wsaudit("check-policy", str(policy), "--manifest", str(manifest), "--format", "json",
                         "-o", str(policy))
    assert (result.code, policy.read_bytes()) == (2, before), result.stderr


def test_the_readiness_document_over_the_manifest_is_refused(files):
    manifest, _ = files
    before = manifest.read_bytes()
    result = run_wsaudit("verify-readiness", str(manifest), "-o", str(manifest))
    assert (result.code, manifest.read_bytes()) == (2, before), result.stderr


def test_a_fifo_given_as_the_policy_is_refused_without_blocking(files, tmp_path):
    manifest, _ = files
    fifo = tmp_path / "pipe-policy.html"
    os.mkfifo(fifo)
    result = run_wsaudit("check-policy", str(fifo), "--manifest", str(manifest))
    assert (result.code, "FIFO" in result.stderr) == (2, True), result.stderr
