"""Accounts fixtures: real users, real allauth flows, the Django test client."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client

from kammerpost.accounts.models import User
from kammerpost.accounts.services import opaque_username

PASSWORD = "ein langes Passwort für Tests"  # noqa: S105 - test accounts only


def make_user(email: str, *, password: str = PASSWORD, is_staff: bool = False) -> User:
    user = User.objects.create_user(
        username=opaque_username(), email=email, password=password, is_staff=is_staff
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def totp_activate(user: User) -> tuple[str, list[str]]:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, codes


def totp_now(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def login(client: Client, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/konto/login/", {"login": email, "password": password, **extra})


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://[^\s]+", body)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def person(db: None) -> User:
    return make_user(f"person-{secrets.token_hex(3)}@example.org")


@pytest.fixture
def anonymous(db: None) -> Client:
    return Client()
