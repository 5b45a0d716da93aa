from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in: a sender, a clerk or an administrator.

    Our own model from the first migration on, so that accounts can grow
    (businesses, second factors) without a painful swap later.
    """
