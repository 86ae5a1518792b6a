from django.apps import AppConfig


class InlogovConfig(AppConfig):
    name = "inlogov"
    verbose_name = "INLOGOV Research Hub"

    def ready(self):
        # Cache plumbing, not a business rule: every content write makes cached pages stale.
        from inlogov.caching import connect_signals

        connect_signals()
