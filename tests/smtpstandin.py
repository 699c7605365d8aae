"""A real SMTP server on 127.0.0.1 for the mail tests: aiosmtpd, with AUTH, STARTTLS or implicit TLS.

Its certificate is issued by a certificate authority made in the test
(trustme); the client is given that authority's certificate through
``GSC_BACKLINKS_SMTP_CA`` and verifies the server as it would any other.
Every message, login and command the server saw is recorded.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "reports@agency.example", "s3cret-Pa55word!"
SENDER = "reports@agency.example"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    tls: bool  #: the session was encrypted when the message came
    login: str | None

    def parsed(self):
        return BytesParser(policy=policy.default).parsebytes(self.data)


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.refuse_data:
            return self.server.refuse_data
        login = session.auth_data  # the login name the authenticator accepted
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        with self.server.lock:
            self.server.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content
                                                 or envelope.content, tls, login))
        return "250 OK: queued"


class SmtpServer:
    """``with SmtpServer(tmp_path, tls="starttls") as smtp:`` then ``smtp.env()`` for the client's settings.

    tls: "starttls" (offered, and required before AUTH and mail), "ssl" (implicit TLS) or None (plain).
    """

    def __init__(self, folder: Path, *, tls: str | None = "starttls", login: bool = True,
                 auth_require_tls: bool = True, refuse: tuple[str, ...] = (), refuse_data: str | None = None):
        self.folder = Path(folder)
        self.tls, self.login = tls, login
        self.refuse, self.refuse_data = set(refuse), refuse_data
        self.received: list[Received] = []
        self.auth_attempts: list[tuple[str, bool]] = []  #: (login, accepted)
        self.lock = threading.Lock()
        self.ca = trustme.CA()
        self.ca_file = self.folder / "smtp-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        cert = self.ca.issue_cert("localhost", "127.0.0.1")
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.context)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        kwargs: dict = {}
        if login:
            kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=auth_require_tls)
        if tls == "starttls":
            kwargs.update(tls_context=self.context, require_starttls=True)
        if tls == "ssl" and login:  # aiosmtpd counts only STARTTLS as TLS for AUTH; this whole connection is TLS
            kwargs.update(auth_require_tls=False)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     ssl_context=self.context if tls == "ssl" else None, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER and \
            auth_data.password.decode() == PASSWORD
        name = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?"
        self.auth_attempts.append((name, ok))
        return AuthResult(success=True, auth_data=name) if ok else AuthResult(success=False, handled=False)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def env(self, **extra: str) -> dict[str, str]:
        """The client's GSC_BACKLINKS_SMTP_* settings for this server."""
        env = {"GSC_BACKLINKS_SMTP_HOST": "127.0.0.1", "GSC_BACKLINKS_SMTP_PORT": str(self.port),
               "GSC_BACKLINKS_SMTP_FROM": SENDER, "GSC_BACKLINKS_SMTP_CA": str(self.ca_file),
               "GSC_BACKLINKS_SMTP_TLS": self.tls or "none", "GSC_BACKLINKS_SMTP_TIMEOUT": "10"}
        if self.login:
            env.update(GSC_BACKLINKS_SMTP_USER=USER, GSC_BACKLINKS_SMTP_PASSWORD=PASSWORD)
        env.update(extra)
        return env
