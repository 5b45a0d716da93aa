"""Settings of the gunicorn server the tus tests start: the real ones, plus the test URLs."""

from kammerpost.settings import *  # noqa: F403

ROOT_URLCONF = "tests.exchange.tus_app"
