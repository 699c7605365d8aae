"""Credentials: authorize once with a Google account, then reuse and refresh.

Two kinds of authorization are kept in one file in the user config folder
(``token.json``, mode 0600, written atomically):

* ``authorized_user`` — the installed-app OAuth flow of google-auth-oauthlib
  with a loopback redirect, scope ``webmasters.readonly`` only (plus
  ``bigquery.readonly`` when asked for, to read the bulk export); the refresh
  token is kept and the access token refreshed (and saved again) when due;
* ``service_account`` — a reference to a service-account key file (for cron);
  the key itself stays where the user keeps it.

``GOOGLE_APPLICATION_CREDENTIALS`` is used when no token file exists.  The
token, revoke and API endpoints can be redirected for tests and proxies from
the environment only (``GSC_BACKLINKS_TOKEN_URI``, ``GSC_BACKLINKS_REVOKE_URI``);
a token file never decides where a refresh token is sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import AuthError, UsageError

SCOPE = "https://www.googleapis.com/auth/webmasters.readonly"
BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery.readonly"  #: only with `auth login --bigquery`
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
CLIENT_SECRETS_ENV = "GSC_BACKLINKS_CLIENT_SECRETS"
TESTING_MODE_HINT = (
    "if your OAuth app is left in \"Testing\" mode on Google's consent screen, its refresh tokens "
    "expire after 7 days; set it to \"In production\" to keep them"
)
HOW_TO_CLIENT = (
    "create a Desktop OAuth client in Google Cloud Console (README: \"Authorize with Google\"), "
    "download its JSON as ./credentials.json (the shape of credentials.example.json) "
    f"or pass --client-secrets FILE / set {CLIENT_SECRETS_ENV}"
)


def token_uri() -> str:
    return os.environ.get("GSC_BACKLINKS_TOKEN_URI") or GOOGLE_TOKEN_URI


def revoke_uri() -> str:
    return os.environ.get("GSC_BACKLINKS_REVOKE_URI") or GOOGLE_REVOKE_URI


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("gsc-backlinks", appauthor=False)


def token_path() -> Path:
    return config_dir() / "token.json"


# --- the token file -------------------------------------------------------------------


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only (0600)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(path.parent, 0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".token-", suffix=".tmp")  # created 0600
    except OSError as exc:
        raise _cannot_save(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_save(path, exc) from None
        raise


def _cannot_save(path: Path, exc: OSError) -> AuthError:
    return AuthError(f"cannot save the authorization to {path}: {exc.strerror or exc}")


def _delete(path: Path, done: str = "") -> None:
    """Delete the token file; ``done`` says what already happened, for the error."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise AuthError(f"{done + ', but ' if done else ''}cannot delete {path}: {exc.strerror or exc}; "
                        "delete it yourself") from None


#: What a token file's fields may hold, per type; a field left out (or null) is checked where it is used.
_TOKEN_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "authorized_user": {"refresh_token": str, "client_id": str, "client_secret": str, "token": str,
                        "expiry": str, "scopes": (list, str)},
    "service_account": {"key_file": str, "client_email": str},
}


def _token_info(text: str) -> dict | None:
    """The token file's JSON if it has the shape we write (types checked once, here), else None."""
    try:
        info = json.loads(text)
    except ValueError:
        return None
    if not isinstance(info, dict) or not isinstance(info.get("type"), str):
        return None
    if info["type"] == "service_account" and not info.get("key_file"):
        return None
    for key, kind in _TOKEN_FIELDS.get(info["type"], {}).items():
        if info.get(key) is not None and not isinstance(info[key], kind):
            return None
    if isinstance(info.get("scopes"), list) and not all(isinstance(s, str) for s in info["scopes"]):
        return None
    return info


def _token_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuthError(f"cannot read the saved authorization {path}: {exc.strerror or exc}") from None


def _read_token_file(path: Path) -> dict | None:
    text = _token_text(path)
    if text is None:
        return None
    info = _token_info(text)
    if info is None:
        raise AuthError(f"the saved authorization {path} is damaged; run `gsc-backlinks auth login` again")
    return info


def save_user_credentials(creds, path: Path | None = None) -> None:
    info = json.loads(creds.to_json())
    info["type"] = "authorized_user"
    info.pop("token_uri", None)  # never trusted from the file: see token_uri()
    write_private(path or token_path(), json.dumps(info, indent=2))


# --- client secrets ---------------------------------------------------------------------


def find_client_secrets(option: str | None) -> Path:
    """--client-secrets, else $GSC_BACKLINKS_CLIENT_SECRETS, else ./credentials.json."""
    for candidate, origin in (
        (option, "--client-secrets"),
        (os.environ.get(CLIENT_SECRETS_ENV), CLIENT_SECRETS_ENV),
    ):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise UsageError(f"client secrets file {path} (from {origin}) does not exist; {HOW_TO_CLIENT}")
            return path
    default = Path("credentials.json")
    if default.is_file():
        return default
    raise UsageError(f"no OAuth client secrets file found; {HOW_TO_CLIENT}")


def load_client_config(path: Path) -> dict:
    """The client JSON as Google's console downloads it, checked."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"client secrets file {path} cannot be read as JSON ({exc}); {HOW_TO_CLIENT}") from None
    if isinstance(config, dict) and config.get("type") == "service_account":
        raise UsageError(f"{path} is a service-account key; use `gsc-backlinks auth login --service-account {path}`")
    section = (config.get("installed") or config.get("web")) if isinstance(config, dict) else None
    if not isinstance(section, dict):
        raise UsageError(f"{path} is not an OAuth client file (no \"installed\" section); {HOW_TO_CLIENT}")
    missing = [k for k in ("client_id", "client_secret", "auth_uri", "token_uri")
               if not section.get(k) or not isinstance(section[k], str)]
    if missing:
        raise UsageError(f"{path} is not an OAuth client file (missing or not text: {', '.join(missing)}); {HOW_TO_CLIENT}")
    if "replace-with" in section["client_secret"] or section["client_id"].startswith("123456789012-abcdefghij"):
        raise UsageError(f"{path} still holds the placeholder values of credentials.example.json; {HOW_TO_CLIENT}")
    return config


# --- login ------------------------------------------------------------------------------


class _Redirect:
    """A one-shot loopback HTTP server catching Google's redirect (like run_local_server)."""

    def __init__(self, port: int):
        import wsgiref.simple_server

        self.uri: str | None = None
        self.done = threading.Event()

        def app(environ, start_response):
            from wsgiref.util import request_uri

            query = environ.get("QUERY_STRING", "")
            if "code=" not in query and "error=" not in query:  # a favicon or a stray request
                start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"Not found"]
            self.uri = request_uri(environ)
            self.done.set()
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            said = b"access was not granted" if "error=" in query else b"authorization received"
            return [b"gsc-backlinks: " + said + b". You can close this tab and return to the terminal."]

        class Quiet(wsgiref.simple_server.WSGIRequestHandler):
            def log_message(self, *args):  # the URL holds the code: keep it off the terminal
                pass

        try:
            self.server = wsgiref.simple_server.make_server("localhost", port, app, handler_class=Quiet)
        except OSError as exc:
            raise UsageError(f"cannot listen on localhost port {port} for Google's redirect ({exc.strerror}); "
                             "try --port 0") from None
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.server.timeout = 0.2
        while not self.done.is_set():
            self.server.handle_request()

    def start(self):
        self.thread.start()

    def close(self):
        self.done.set()
        self.thread.join(timeout=2)
        self.server.server_close()


def code_from_redirect(text: str, state: str) -> str:
    """The authorization code in a redirect URL (or a bare code), checked against ``state``."""
    text = text.strip()
    if not text:
        raise AuthError("nothing was pasted; run `gsc-backlinks auth login --no-browser` again")
    if "://" not in text and "=" not in text:
        return text  # the bare code
    query = parse_qs(urlsplit(text).query)
    if "error" in query:
        error = query["error"][0]
        if error == "access_denied":
            raise AuthError("access was not granted in the browser; run `gsc-backlinks auth login` again and allow it")
        raise AuthError(f"Google did not authorize gsc-backlinks ({error})")
    if query.get("state", [None])[0] != state:
        raise AuthError("the redirect does not belong to this login (state mismatch); start `gsc-backlinks auth login` again")
    code = query.get("code", [None])[0]
    if not code:
        raise AuthError("the pasted URL holds no authorization code; copy the whole address the browser was sent to")
    return code


def login_user(
    client_secrets: Path,
    *,
    port: int = 0,
    open_browser: bool = True,
    read_paste: Callable[[], str] | None = None,
    echo: Callable[[str], None] = print,
    timeout: float = 300.0,
    bigquery: bool = False,
):
    """The installed-app flow with a loopback redirect; saves and returns the credentials.

    With ``read_paste`` (``--no-browser``) the redirected URL may also be pasted
    back, for machines whose browser cannot reach this one's loopback.  ``bigquery``
    asks for read-only BigQuery access too (the bulk export), and only then.
    """
    import requests
    from google_auth_oauthlib.flow import InstalledAppFlow

    config = load_client_config(client_secrets)
    flow = InstalledAppFlow.from_client_config(config, scopes=[SCOPE, BIGQUERY_SCOPE] if bigquery else [SCOPE])
    redirect = _Redirect(port)
    flow.redirect_uri = f"http://localhost:{redirect.port}/"
    auth_url, state = flow.authorization_url(prompt="consent", access_type="offline")
    pasted: list[str] = []
    try:
        redirect.start()
        if open_browser:
            import webbrowser

            echo("Opening your browser to authorize gsc-backlinks (read-only access to Search Console).")
            echo(f"If it does not open, visit this URL:\n\n  {auth_url}\n")
            try:
                webbrowser.open(auth_url, new=1, autoraise=True)
            except Exception:  # noqa: BLE001  (no browser is fine: the URL is printed)
                pass
        else:
            echo(f"Open this URL in a browser on any machine and allow access:\n\n  {auth_url}\n")
            echo(f"After allowing, the browser is sent to http://localhost:{redirect.port}/?… — if that page does "
                 "not load, copy its whole address from the address bar and paste it here.")
        if read_paste is not None:
            def reader():
                try:
                    line = read_paste()
                except (EOFError, OSError):
                    return
                if line and line.strip():
                    pasted.append(line)
                    redirect.done.set()

            threading.Thread(target=reader, daemon=True).start()
        if not redirect.done.wait(timeout):
            raise AuthError(f"no authorization arrived within {timeout:.0f} s; run `gsc-backlinks auth login` again")
    finally:
        redirect.close()
    response = redirect.uri or (pasted[0] if pasted else "")
    code = code_from_redirect(response, state)
    try:
        flow.fetch_token(code=code)
    except requests.RequestException as exc:  # the answer never came: nothing was refused
        raise AuthError(f"cannot reach Google's token server ({_oauth_error_text(exc)}); "
                        "check the network and run `gsc-backlinks auth login` again") from None
    except Exception as exc:  # noqa: BLE001  (oauthlib raises many types; all mean the same to the user)
        raise AuthError(f"Google refused the authorization code ({_oauth_error_text(exc)}); "
                        "run `gsc-backlinks auth login` again") from None
    creds = flow.credentials
    if not creds.refresh_token:
        raise AuthError("Google returned no refresh token; remove gsc-backlinks at "
                        "https://myaccount.google.com/permissions and log in again")
    save_user_credentials(creds)
    return creds


def _oauth_error_text(exc: Exception) -> str:
    text = getattr(exc, "description", None) or getattr(exc, "error", None) or str(exc) or type(exc).__name__
    return str(text).splitlines()[0][:200]


def login_service_account(key_file: str | os.PathLike):
    """Check that a service-account key gets a token, then remember where it is (the key is not copied)."""
    path = Path(key_file).expanduser().resolve()
    creds = _service_credentials(path)
    refresh_credentials(creds, None)  # first: a key Google refuses must not replace a working authorization
    write_private(token_path(), json.dumps(
        {"type": "service_account", "key_file": str(path), "client_email": creds.service_account_email}, indent=2
    ))
    return creds


def _read_service_key(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"service-account key {path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"service-account key {path} cannot be read as JSON ({exc})") from None
    if not isinstance(info, dict) or info.get("type") != "service_account" or "private_key" not in info:
        raise UsageError(f"{path} is not a service-account key file (its \"type\" is not \"service_account\")")
    for key in ("client_email", "private_key", "token_uri"):
        if not info.get(key):
            raise UsageError(f"service-account key {path} lacks \"{key}\"; download a new JSON key")
    return info


# --- using the saved authorization -------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    kind: str  #: "authorized_user" or "service_account"
    path: Path  #: the token file, or the key file for GOOGLE_APPLICATION_CREDENTIALS
    info: dict


def saved(path: Path | None = None) -> Saved | None:
    """What is saved: the token file, else $GOOGLE_APPLICATION_CREDENTIALS, else None."""
    path = path or token_path()
    info = _read_token_file(path)
    if info is not None:
        return Saved(info["type"], path, info)
    env_key = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if env_key:
        key = Path(env_key).expanduser()
        return Saved("service_account", key, {"type": "service_account", "key_file": str(key), "from_env": True})
    return None


def require_saved(path: Path | None = None, *, bigquery: bool = False) -> Saved:
    """What is saved (see saved()); an AuthError saying how to authorize when nothing is (``bigquery``: the
    login that also reads the bulk export)."""
    found = saved(path)
    if found is None:
        raise AuthError(f"not authorized with Google yet; run `{login_command(bigquery)}` (README: \"Authorize with "
                        "Google\")")
    return found


def login_command(bigquery: bool = False) -> str:
    """The command that authorizes what is needed: with ``bigquery``, BigQuery's read-only scope too."""
    return "gsc-backlinks auth login --bigquery" if bigquery else "gsc-backlinks auth login"


def credentials(path: Path | None = None, *, bigquery: bool = False):
    """Usable credentials, refreshed (and the refreshed token saved) when due.

    ``bigquery``: for the bulk export — a service account asks for the BigQuery read-only scope
    instead, a user's login must have been given it (`auth login --bigquery`).
    """
    found = require_saved(path, bigquery=bigquery)
    if found.kind == "service_account":
        creds = _saved_service_credentials(found, [BIGQUERY_SCOPE] if bigquery else [SCOPE])
    elif found.kind == "authorized_user":
        creds = _user_credentials(found.info, found.path)
        if bigquery and BIGQUERY_SCOPE not in (creds.scopes or []):
            raise AuthError("the saved Google login has no BigQuery access; run `gsc-backlinks auth login --bigquery` "
                            "(it adds read-only BigQuery access), or use a service account")
    else:
        raise AuthError(f"the saved authorization {found.path} is of an unknown type; run `gsc-backlinks auth login` again")
    if not creds.valid:
        refresh_credentials(creds, found.path if found.kind == "authorized_user" else None)
    return creds


def _saved_service_credentials(found: Saved, scopes: list[str] | None = None):
    """The key a login or GOOGLE_APPLICATION_CREDENTIALS points at; a key gone or changed says which and how to fix it."""
    try:
        return _service_credentials(Path(found.info["key_file"]), scopes)
    except UsageError as exc:  # no option was given: it is the saved authorization that is broken
        fix = ("from GOOGLE_APPLICATION_CREDENTIALS: point it at a current JSON key, or unset it"
               if found.info.get("from_env") else
               "saved by `gsc-backlinks auth login --service-account`: run it again with the key's current path")
        raise AuthError(f"{exc} ({fix})") from None


def _garbled_token_answer() -> AuthError:
    return AuthError("Google's token server answered something unexpected (not a token); "
                     "try again later or run `gsc-backlinks auth login`")


def _guard_refresh(creds) -> None:
    """Make every refresh of ``creds`` raise AuthError for a token-server answer of the wrong shape.

    google-auth parses that answer unchecked: an HTML page or odd JSON surfaces as TypeError,
    ValueError or KeyError, also from inside an API call when it refreshes after a 401. Wrapping
    the one method every refresh goes through catches exactly those, not a bug elsewhere.
    """
    refresh = creds.refresh

    def guarded(request) -> None:
        try:
            refresh(request)
        except (ValueError, TypeError, KeyError):
            raise _garbled_token_answer() from None

    creds.refresh = guarded


def _service_credentials(key_path: Path, scopes: list[str] | None = None):
    """Credentials of a service-account key; the token is asked of $GSC_BACKLINKS_TOKEN_URI when set."""
    from google.oauth2 import service_account

    info = _read_service_key(key_path)
    info["token_uri"] = os.environ.get("GSC_BACKLINKS_TOKEN_URI") or info["token_uri"]
    try:
        creds = service_account.Credentials.from_service_account_info(info, scopes=scopes or [SCOPE])
    except ValueError as exc:
        raise AuthError(f"service-account key {key_path} is not usable ({exc})") from None
    _guard_refresh(creds)
    return creds


def token_expiry(info: dict) -> dt.datetime | None:
    """When the saved access token expires, as naive UTC (google-auth's form); None if not known.

    google-auth writes ``…Z``; an offset written another way is converted, not dropped.
    """
    try:
        when = dt.datetime.fromisoformat(info.get("expiry") or "")
    except ValueError:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def _user_credentials(info: dict, path: Path):
    from google.oauth2.credentials import Credentials

    missing = [k for k in ("refresh_token", "client_id", "client_secret") if not info.get(k)]
    if missing:
        raise AuthError(f"the saved authorization {path} lacks {', '.join(missing)}; run `gsc-backlinks auth login` again")
    scopes = info.get("scopes") or [SCOPE]
    if isinstance(scopes, str):
        scopes = scopes.split()
    # Built directly: from_authorized_user_info would overwrite token_uri with Google's own.
    creds = Credentials(
        token=info.get("token"), refresh_token=info["refresh_token"], token_uri=token_uri(),
        client_id=info["client_id"], client_secret=info["client_secret"], scopes=scopes, expiry=token_expiry(info),
    )
    _guard_refresh(creds)
    return creds


def refresh_credentials(creds, save_path: Path | None) -> None:
    """Refresh now; a refused refresh token becomes one actionable line."""
    import google.auth.exceptions
    from google.auth.transport.requests import Request

    try:
        creds.refresh(Request())
    except google.auth.exceptions.RefreshError as exc:
        raise refresh_error(exc) from None
    except google.auth.exceptions.TransportError as exc:
        raise AuthError(f"cannot reach Google's token server ({str(exc).splitlines()[0][:160]}); check the network") from None
    except (ValueError, TypeError, KeyError):
        raise _garbled_token_answer() from None
    if save_path is not None:
        _keep(creds, save_path)


def _keep(creds, path: Path) -> None:
    """Save a refreshed access token if the config folder lets us.

    It is a cache (the refresh token saved at login keeps working; the next run refreshes again),
    so a read-only config folder, as cron jobs and containers may have, must not fail the command.
    """
    with contextlib.suppress(AuthError):
        save_user_credentials(creds, path)


def refresh_error(exc: Exception) -> AuthError:
    text = str(exc.args[0]) if getattr(exc, "args", None) else str(exc)
    if "invalid_grant" in text:
        return AuthError(
            "Google refused the saved authorization (invalid_grant: revoked or expired); run "
            f"`gsc-backlinks auth login` again (for a service account: with a current key); {TESTING_MODE_HINT}"
        )
    if "invalid_client" in text:
        return AuthError("Google no longer knows the OAuth client of the saved authorization (invalid_client); "
                         "run `gsc-backlinks auth login` with a current client file")
    return AuthError(f"refreshing the saved authorization failed ({text.splitlines()[0][:160]}); "
                     "run `gsc-backlinks auth login` again")


def save_if_refreshed(creds, path: Path | None = None) -> None:
    """After API calls: keep a token google-auth refreshed on the way."""
    try:  # runs in `finally` blocks too: it must not hide the error that got there
        found = saved(path)
    except AuthError:
        return
    if found is None or found.kind != "authorized_user":
        return
    if getattr(creds, "token", None) and creds.token != found.info.get("token"):
        _keep(creds, found.path)


def logout(path: Path | None = None, *, timeout: float = 20.0) -> str:
    """Revoke the saved authorization with Google and delete it; returns what was done."""
    import requests

    path = path or token_path()
    text = _token_text(path)
    if text is None:
        if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
            return ("nothing saved; the service account of GOOGLE_APPLICATION_CREDENTIALS stays usable "
                    "until you unset it or remove the account from the property")
        return "nothing to do: not logged in"
    info = _token_info(text)
    if info is None:  # unusable anyway: forgetting it is what the user asks for
        _delete(path)
        return (f"deleted the damaged authorization {path} (not revoked: it could not be read; remove "
                "gsc-backlinks at https://myaccount.google.com/permissions if it was a Google account)")
    if info.get("type") != "authorized_user":
        _delete(path)
        return (f"forgot the service account {info.get('client_email', '')} (its key file was left in place; "
                "remove the account from the property's users to revoke its access)")
    token = info.get("refresh_token") or info.get("token")
    outcome = "revoked with Google"
    try:
        answer = requests.post(
            revoke_uri(), data={"token": token},
            headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout,
        )
        if answer.status_code != 200:
            outcome = ("Google did not revoke it (already revoked or expired, "
                       f"HTTP {answer.status_code})")
    except requests.RequestException as exc:
        outcome = (f"revoking failed ({type(exc).__name__}); remove access at "
                   "https://myaccount.google.com/permissions")
    _delete(path, done=outcome)
    return f"{outcome}; deleted {path}"
