import pytest

from inlogov.jinja import instrument_for_tests

# The public pages are Jinja2 templates; this makes their context visible to the test client.
instrument_for_tests()


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache, so cached pages never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
