"""Redis unreachable: the site keeps serving, uncached and correct, and says so in the log.

The cache configuration comes from the real settings module, reloaded with REDIS_URL pointing at
a port where nothing listens, so this tests what a deployment would run.
"""

import importlib
import logging

import pytest

from inlogov import caching
from tests.factories import make_contributor, make_publication

CLOSED_PORT_URL = "redis://127.0.0.1:6390/0"


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def redis_down(settings, monkeypatch):
    import inlogov.settings as settings_module

    monkeypatch.setenv("REDIS_URL", CLOSED_PORT_URL)
    monkeypatch.delenv("PAGE_CACHE", raising=False)
    reloaded = importlib.reload(settings_module)
    try:
        settings.CACHES = reloaded.CACHES
        settings.PAGE_CACHE = reloaded.PAGE_CACHE
        settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = reloaded.DJANGO_REDIS_IGNORE_EXCEPTIONS
        settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = reloaded.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS
        settings.DJANGO_REDIS_LOGGER = reloaded.DJANGO_REDIS_LOGGER
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)
    handler = _Records()
    logger = logging.getLogger("inlogov")
    logger.addHandler(handler)
    caching._outage.update(until=0.0, warned_at=0.0, bump_on_recovery=False)
    yield handler
    logger.removeHandler(handler)
    caching._outage.update(until=0.0, warned_at=0.0, bump_on_recovery=False)


@pytest.mark.django_db
def test_settings_use_redis_with_errors_ignored_when_redis_url_is_set(redis_down, settings):
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.CACHES["default"]["LOCATION"] == CLOSED_PORT_URL
    assert settings.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert settings.PAGE_CACHE is True


@pytest.mark.django_db
def test_pages_are_served_uncached_and_correct_when_redis_is_down(client, redis_down):
    author = make_contributor("Tony", "Bovaird")
    publication = make_publication("Co-production when Redis sleeps", contributors=[author])

    first = client.get("/publications/")
    assert first.status_code == 200
    assert "Co-production when Redis sleeps" in first.text
    assert first["X-Cache"] == "unavailable"
    assert "ETag" not in first

    publication.title = "Edited during the outage"
    publication.save()  # the bump cannot reach Redis; the save must still succeed

    second = client.get("/publications/")
    assert second.status_code == 200
    assert "Edited during the outage" in second.text
    assert "Co-production when Redis sleeps" not in second.text

    detail = client.get(publication.get_absolute_url())
    assert detail.status_code == 200
    assert "Edited during the outage" in detail.text


@pytest.mark.django_db
def test_api_is_served_when_redis_is_down(client, redis_down):
    make_publication("An API book while Redis is down")
    response = client.get("/api/v1/publications/")
    assert response.status_code == 200
    assert response["X-Cache"] == "unavailable"
    titles = [item["title"] for item in response.json()["results"]]
    assert titles == ["An API book while Redis is down"]


@pytest.mark.django_db
def test_a_warning_is_logged_when_redis_is_down(client, redis_down):
    make_publication("Logged book")
    client.get("/publications/")
    warnings = [
        r for r in redis_down.records if r.name == "inlogov.caching" and r.levelno == logging.WARNING
    ]
    assert len(warnings) == 1
    assert "Cache unreachable" in warnings[0].getMessage()
    # Later requests within the back-off do not try Redis again, and do not repeat the warning.
    client.get("/publications/")
    assert len([r for r in redis_down.records if r.name == "inlogov.caching"]) == 1
