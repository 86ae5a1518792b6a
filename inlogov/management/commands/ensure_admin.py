"""Create the first admin login for a new installation, or report the existing one.

No fixed password ever: a new account gets a random one, printed once. Used by `make run`.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an admin superuser with a random password if none exists, else report it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing:
            self.stdout.write(
                f"Admin login exists: user '{existing.get_username()}'. "
                "Reset its password with: .venv/bin/python manage.py changepassword "
                f"{existing.get_username()}"
            )
            return
        password = secrets.token_urlsafe(16)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created admin login: user '{username}', password '{password}' "
                "(shown once; change it at /admin/password_change/)."
            )
        )
