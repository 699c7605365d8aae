"""The Google side of the tests: dates of the stand-in's data and a service-account key (fixtures: conftest.py)."""

from __future__ import annotations

import datetime as dt
import json

from gsc_backlinks.dates import pacific_now

DOMAIN = "sc-domain:example.com"
TODAY = pacific_now().date()
DAYS = [TODAY - dt.timedelta(days=n) for n in range(12, 1, -1)]  # 11 days ending two days ago
FINAL_UNTIL = TODAY - dt.timedelta(days=4)  # the last two days are fresh
START, END = DAYS[0].isoformat(), DAYS[-1].isoformat()


def service_key(tmp_path):
    """A service-account key file with a real RSA key (the stand-in decodes, not verifies, the JWT)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = tmp_path / "key.json"
    key.write_text(json.dumps({
        "type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": pem,
        "client_email": "cron@p.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }))
    return key
