from django.apps import AppConfig


class InlogovConfig(AppConfig):
    name = "inlogov"
    verbose_name = "INLOGOV Research Hub"
