"""Email to the mail server is encrypted and the server's certificate is checked."""

import smtplib
import ssl

import pytest

from dp_portal.core import mail


class FakeSMTP:
    """Stands in for smtplib.SMTP / SMTP_SSL and records what the app asked of it."""

    made: list["FakeSMTP"] = []

    def __init__(self, host, port, timeout=None, context=None, starttls_works=True):
        self.host, self.port, self.context = host, port, context
        self.starttls_context = None
        self.sent = []
        self.starttls_works = starttls_works
        FakeSMTP.made.append(self)

    def starttls(self, context=None):
        if not self.starttls_works:
            raise smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server.")
        self.starttls_context = context

    def login(self, user, password):
        pass

    def send_message(self, message):
        self.sent.append(message)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.made = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.council.example")
    with app.app_context():
        yield app


def _verifies_certificates(context) -> bool:
    return (
        isinstance(context, ssl.SSLContext)
        and context.verify_mode == ssl.CERT_REQUIRED
        and context.check_hostname
    )


def _send():
    mail.deliver(mail.build_message("someone@test.example", "Subject", "Body"))


def test_starttls_with_a_verifying_context(smtp, monkeypatch):
    monkeypatch.setitem(smtp.config, "MAIL_PORT", 587)
    _send()
    [server] = FakeSMTP.made
    assert _verifies_certificates(server.starttls_context)
    assert len(server.sent) == 1


def test_implicit_tls_on_port_465_with_a_verifying_context(smtp, monkeypatch):
    monkeypatch.setitem(smtp.config, "MAIL_USE_SSL", True)
    monkeypatch.setitem(smtp.config, "MAIL_PORT", 465)
    _send()
    [server] = FakeSMTP.made
    assert _verifies_certificates(server.context)
    assert len(server.sent) == 1


def test_a_server_without_starttls_gets_nothing_in_clear(smtp, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", lambda *a, **k: FakeSMTP(*a, **k, starttls_works=False))
    with pytest.raises(smtplib.SMTPNotSupportedError):
        _send()
    assert FakeSMTP.made[0].sent == []
