"""Sending mail over SMTP (the standard library's smtplib, ssl and email): a source, like the API client.

Settings come from the environment only, never from a file or an option:
``GSC_BACKLINKS_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``,
``_TLS`` (``starttls``, ``ssl`` or ``none``), ``_CA`` (a PEM file of the
certificate authority that signed the server's certificate, for a private
one) and ``_TIMEOUT`` (seconds).  The password is never printed, logged or
put in an error line; a reply of the server that would repeat it is cleaned
of it.

TLS rules: the server's certificate and host name are always verified; a
password is never sent over an unencrypted connection, except to this
machine (localhost); STARTTLS that the server does not offer is an error,
never a silent fall-back to plain text.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import MailError, UsageError
from .text import printable, shorten

if TYPE_CHECKING:
    import smtplib
    import ssl
    from email.message import EmailMessage

ENV = "GSC_BACKLINKS_SMTP_"
TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0


class MailServerError(MailError):
    """The server could not be reached, refused the login or failed TLS: no later message will get through
    either (a run over many properties stops mailing)."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send (read by :func:`smtp_settings`)."""

    host: str
    port: int
    tls: str  #: "starttls", "ssl" or "none"
    sender: str  #: the From address
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def server(self) -> str:
        """``host:port``, as every message about the server names it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def describe(self) -> list[tuple[str, str]]:
        """The settings as `config check` lists them: the password only as "set" or "not set"."""
        return [("server", self.server), ("TLS", self.tls), ("from", self.sender),
                ("user", self.user or "not set"), ("password", "set" if self.password else "not set"),
                ("certificate authority", self.ca_file or "the system's")]


def is_local(host: str) -> bool:
    """True for this machine: localhost or a loopback address (where a password may go unencrypted)."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """The SMTP settings of the environment; None when ``GSC_BACKLINKS_SMTP_HOST`` is not set.

    A wrong value is a UsageError naming the variable (never its value when it is the password).
    """
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(ENV + name, "")
        return value.strip() or None

    host = get("HOST")
    if not host:
        return None
    if any(c in host for c in " /@\r\n\t") or host != printable(host):
        raise UsageError(f"{ENV}HOST {shorten(printable(host), 60)!r} is not a host name; give it like smtp.agency.example")
    tls = (get("TLS") or "").lower()
    if tls and tls not in TLS_MODES:
        raise UsageError(f"{ENV}TLS {shorten(printable(tls), 30)!r}: use starttls, ssl (implicit TLS, usually port 465) "
                         "or none (only for a relay on this machine)")
    port_text = get("PORT")
    port = None
    if port_text:
        try:
            port = int(port_text)
        except ValueError:
            port = 0
        if not 0 < port < 65536:
            raise UsageError(f"{ENV}PORT {shorten(printable(port_text), 30)!r} is not a port number (like 587)")
    if not tls:
        tls = "ssl" if port == 465 else "none" if is_local(host) and port in (None, 25) else "starttls"
    user = get("USER")
    password = env.get(ENV + "PASSWORD") or None
    if password and not user:
        raise UsageError(f"{ENV}PASSWORD is set but {ENV}USER is not; set both, or neither for a server without login")
    if user and not password:
        raise UsageError(f"{ENV}USER is set but {ENV}PASSWORD is not; set the password in the environment "
                         "(never in the configuration file)")
    sender = get("FROM") or (user if user and "@" in user else None)
    if not sender:
        raise UsageError(f"set {ENV}FROM to the address the reports are sent from (like seo@agency.example)")
    if any(c in sender for c in "\r\n<>,; ") or "@" not in sender:
        raise UsageError(f"{ENV}FROM {shorten(printable(sender), 80)!r} is not an e-mail address; give it like "
                         "seo@agency.example")
    timeout_text = get("TIMEOUT")
    timeout = DEFAULT_TIMEOUT
    if timeout_text:
        try:
            timeout = float(timeout_text)
        except ValueError:
            timeout = 0
        if not timeout > 0:
            raise UsageError(f"{ENV}TIMEOUT {shorten(printable(timeout_text), 30)!r} is not a number of seconds")
    ca_file = get("CA")
    if ca_file and not os.path.isfile(os.path.expanduser(ca_file)):
        raise UsageError(f"{ENV}CA {shorten(printable(ca_file), 120)}: no such file; give the PEM file of the "
                         "certificate authority that signed the server's certificate")
    return SmtpSettings(host, port or DEFAULT_PORTS[tls], tls, sender, user, password,
                        os.path.expanduser(ca_file) if ca_file else None, timeout)


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """A context that verifies the server's certificate and host name (against GSC_BACKLINKS_SMTP_CA if set)."""
    import ssl

    try:
        return ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"{ENV}CA {settings.ca_file}: not a PEM file of certificates ({exc}); give the certificate "
                        "authority's certificate in PEM form") from None


class Mailer:
    """One SMTP connection, opened on the first message and kept for the next ones (reopened if the server
    closed it).  Use as a context manager; every failure is a MailError naming the server and what to fix."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        if settings.password and settings.tls == "none" and not is_local(settings.host):
            raise MailError(f"refusing to send the SMTP password to {settings.server} over an unencrypted connection; "
                            f"set {ENV}TLS=starttls (or ssl for port 465): only a relay on this machine may go without")

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001  (a server gone by now: nothing more to say to it)
                try:
                    smtp.close()
                except Exception:  # noqa: BLE001
                    pass

    def send(self, message: EmailMessage) -> list[str]:
        """Send one message to its To addresses; the addresses the server refused (others got it).

        Every address refused is a MailError.
        """
        import smtplib

        for attempt in (1, 2):
            smtp = self._connect()
            try:
                refused = smtp.send_message(message)
                return sorted(refused)
            except smtplib.SMTPServerDisconnected as exc:
                self._drop()
                if attempt == 2:
                    raise self._error(exc, "closed the connection while sending") from None
            except smtplib.SMTPRecipientsRefused as exc:
                raise MailError(f"mail server {self.settings.server} refused every recipient "
                                f"({self._clean(_first_reply(exc.recipients))}); check the addresses in mail_to / "
                                "--mail-to") from None
            except smtplib.SMTPSenderRefused as exc:
                raise MailError(f"mail server {self.settings.server} refused the sender {exc.sender!r} "
                                f"({self._reply(exc.smtp_code, exc.smtp_error)}); set {ENV}FROM to an address this "
                                "account may send from") from None
            except smtplib.SMTPDataError as exc:
                raise MailError(f"mail server {self.settings.server} refused the message "
                                f"({self._reply(exc.smtp_code, exc.smtp_error)}); if it is too large, publish the "
                                "reports and send a link (--report-url)") from None
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                raise self._error(exc, "failed while sending") from None
        raise AssertionError("unreachable")

    # --- the connection ------------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        try:
            return self._open()
        except MailServerError:
            raise
        except MailError as exc:
            raise MailServerError(str(exc)) from None

    def _open(self) -> smtplib.SMTP:
        import smtplib
        import ssl

        s = self.settings
        context = tls_context(s) if s.tls != "none" else None
        try:
            if s.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context,
                                                      local_hostname=_helo_name())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout, local_hostname=_helo_name())
        except ssl.SSLCertVerificationError as exc:
            raise self._certificate(exc) from None
        except ssl.SSLError as exc:
            raise MailError(f"mail server {s.server}: the TLS handshake failed ({exc.reason or exc}); is it the port "
                            f"for implicit TLS? (465 is; 587 is STARTTLS: set {ENV}TLS=starttls)") from None
        except (OSError, smtplib.SMTPException) as exc:
            if _timed_out(exc):  # no greeting in time (smtplib says so as a closed connection)
                raise MailError(f"mail server {s.server} did not answer within {s.timeout:g} s; check {ENV}HOST and "
                                f"{ENV}PORT (and that a firewall lets the connection out)") from None
            raise self._error(exc, "could not be reached") from None
        try:
            smtp.ehlo()
            if s.tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError(f"mail server {s.server} does not offer STARTTLS; nothing was sent in plain text. "
                                    f"Use its TLS port ({ENV}PORT=465 with {ENV}TLS=ssl), or {ENV}TLS=none for a relay "
                                    "on this machine")
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user and s.password:
                if not smtp.has_extn("auth"):
                    raise MailError(f"mail server {s.server} does not offer a login (AUTH) on this connection; "
                                    f"unset {ENV}USER and {ENV}PASSWORD for a server without login, or use its "
                                    "submission port (587 with STARTTLS, 465 with TLS)")
                smtp.login(s.user, s.password)
        except MailError:
            _close_quietly(smtp)
            raise
        except ssl.SSLCertVerificationError as exc:
            _close_quietly(smtp)
            raise self._certificate(exc) from None
        except smtplib.SMTPAuthenticationError as exc:
            _close_quietly(smtp)
            raise MailError(f"mail server {s.server} refused the login ({self._reply(exc.smtp_code, exc.smtp_error)}); "
                            f"check {ENV}USER and {ENV}PASSWORD") from None
        except (OSError, smtplib.SMTPException) as exc:
            _close_quietly(smtp)
            raise self._error(exc, "failed before sending") from None
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            _close_quietly(smtp)

    # --- what the errors say -----------------------------------------------------------------------

    def _certificate(self, exc: Exception) -> MailError:
        reason = getattr(exc, "verify_message", None) or str(exc)
        return MailError(f"mail server {self.settings.server}: its TLS certificate could not be verified "
                         f"({printable(str(reason))}); nothing was sent. If it uses a private certificate authority, "
                         f"set {ENV}CA to that authority's PEM file; check that {ENV}HOST is the name on the certificate")

    def _error(self, exc: BaseException, what: str) -> MailError:
        import smtplib

        s = self.settings
        if _timed_out(exc):
            return MailError(f"mail server {s.server} stopped answering ({what}, timeout {s.timeout:g} s); try again "
                             f"later or raise {ENV}TIMEOUT")
        if isinstance(exc, ConnectionRefusedError):
            return MailError(f"mail server {s.server} refused the connection; check {ENV}HOST and {ENV}PORT "
                             "(587 for STARTTLS, 465 for TLS)")
        if isinstance(exc, smtplib.SMTPResponseException):
            return MailError(f"mail server {s.server} {what} ({self._reply(exc.smtp_code, exc.smtp_error)})")
        if isinstance(exc, OSError) and exc.strerror:
            return MailError(f"mail server {s.server} {what}: {printable(exc.strerror)}; check {ENV}HOST and {ENV}PORT")
        return MailError(f"mail server {s.server} {what}: {self._clean(str(exc) or type(exc).__name__)}")

    def _reply(self, code: int, text: bytes | str) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return self._clean(f"{code} {text}")

    def _clean(self, text: str) -> str:
        """A server's reply, one short printable line, without the password in any form it could echo."""
        for secret in _secret_forms(self.settings):
            text = text.replace(secret, "***")
        return shorten(printable(" ".join(text.split())), 200)


def _secret_forms(settings: SmtpSettings) -> list[str]:
    password = settings.password
    if not password:
        return []
    user = settings.user or ""
    forms = [password]
    for raw in (password, f"\0{user}\0{password}", f"{user} {password}"):
        forms.append(base64.b64encode(raw.encode("utf-8")).decode("ascii"))
    return forms


def _timed_out(exc: BaseException) -> bool:
    import smtplib

    return isinstance(exc, TimeoutError) or (isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc))


def _first_reply(recipients: dict) -> str:
    for code, text in recipients.values():
        return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    return "no reply"


def _helo_name() -> str:
    """The name said in EHLO: this machine's host name, without a DNS look-up (smtplib's getfqdn can hang)."""
    import socket

    name = socket.gethostname() or "localhost"
    return name if all(c.isalnum() or c in ".-" for c in name) else "localhost"


def _close_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.close()
    except Exception:  # noqa: BLE001
        pass
