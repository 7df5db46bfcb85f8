"""Downloads name their file through werkzeug (RFC 6266), whatever the name holds; letters
are rendered with a URL fetcher that serves only the portal's own static files."""

from __future__ import annotations

import hashlib
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf
import pytest
from werkzeug.http import parse_options_header

from dp_portal.core.downloads import PDF, attachment, download_facts
from dp_portal.core.letters import html_to_pdf


@pytest.mark.parametrize(
    ("name", "offered"),
    [
        ("payments-2026-04-06.txt", "payments-2026-04-06.txt"),
        ('report "final".xlsx', 'report "final".xlsx'),
        ("Café Ñandú.pdf", "Café Ñandú.pdf"),
        ("a\r\nSet-Cookie: admin=1.csv", "a Set-Cookie: admin=1.csv"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("invoice\u202egpj.exe.pdf", "invoicegpj.exe.pdf"),
        ("", "download"),
    ],
)
def test_any_name_makes_a_safe_download_header(app, name, offered):
    with app.test_request_context():
        response = attachment(b"%PDF-1.7 x", name, PDF)
    response.direct_passthrough = False  # to read the body here, outside a WSGI server
    header = response.headers["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert not response.headers.getlist("Set-Cookie")
    kind, options = parse_options_header(header)  # filename* (RFC 5987) wins when present
    assert (kind, options["filename"]) == ("attachment", offered)
    assert ("filename*=UTF-8''" in header) == (not offered.isascii())
    assert response.get_data() == b"%PDF-1.7 x"


def test_text_downloads_are_utf8_and_facts_are_ready_for_the_audit_log(app):
    with app.test_request_context():
        response = attachment("Payee,Amount\nMòrag,£12.50\n", "run.csv", "text/csv")
    response.direct_passthrough = False
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.get_data().decode("utf-8").endswith("£12.50\n")
    body = "Payee,Amount\nMòrag,£12.50\n".encode()
    assert download_facts(body.decode(), "run\r\n.csv") == {
        "file": "run.csv",
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }


def test_the_existing_downloads_still_name_their_files(client, factory, db_session):
    from dp_portal.auth.models import Role

    from ..conftest import sign_in_as

    account = factory.account(reference="DP000042")
    me = factory.user(Role.RECIPIENT)
    factory.access(me, account)
    sign_in_as(client, me)
    response = client.get(f"/accounts/{account.id}/returns/2026-04-06/template.xlsx")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=return-DP000042-2026-04-06.xlsx"
    )


class _Counting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # the name http.server calls
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def local_server():
    """A web server on this machine's loopback address that counts what it is asked for."""
    _Counting.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_letters_fetch_only_the_portals_static_files(app, local_server):
    html = f"""<!DOCTYPE html><html lang="en"><head><title>Letter</title>
    <link rel="attachment" href="file:///etc/passwd">
    <link rel="attachment" href="static/../config.py">
    <link rel="attachment" href="static/app.js">
    <link rel="stylesheet" href="{local_server}/letter.css">
    </head><body><p>Dear reader</p>
    <img src="{local_server}/tracker.png" alt="">
    <img src="https://example.invalid/logo.png" alt="">
    </body></html>"""
    with app.app_context():
        pdf = html_to_pdf(html)
    attached = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    assert list(attached) == ["app.js"]  # the static file only: not passwd, not config.py
    assert _Counting.hits == []  # the server was never asked
    assert b"root:" not in pdf
