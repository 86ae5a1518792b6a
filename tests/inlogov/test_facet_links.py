"""The facet panel's links (``inlogov.faceting._querystring``) against the QueryDict route they
stand in for: ``changed_query`` with the page dropped, then ``urlencode()``."""

import pytest
from django.http import QueryDict

from inlogov.faceting import _querystring, changed_query


def _through_querydict(querydict, changes):
    params = changed_query(querydict, changes)
    params.pop("page", None)
    return f"?{params.urlencode()}"


QUERIES = [
    "",
    "page=3",
    "theme=co-production&kind=book&kind=report&page=2",
    "q=participatory+budgeting&sort=relevance",
    "q=a%26b%3Dc%2Bd+%C3%A9t%C3%A9&theme=x",
    "kind=book&year_from=2010&year_to=2019&open_access=true&contributor=elke-loeffler",
    "country=GB&country=DE&service_area=health&page=9",
]

CHANGES = [
    {},
    {"kind": ["book"]},
    {"kind": []},
    {"kind": None},
    {"theme": ("a", "b")},
    {"year_from": "2000", "year_to": "2009"},
    {"year_from": None, "year_to": None},
    {"q": None, "sort": None},
    {"page": 5},
    {"page": None, "kind": ["chapter"]},
    {"contributor": ["tony-bovaird", "élodie o'neil & co"], "country": None},
    {"new": "value with spaces", "another": ["1", "2"]},
    {"year_from": 2010},  # a number, as the year facet's toggles pass
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("changes", CHANGES, ids=lambda changes: ",".join(changes) or "none")
def test_the_links_are_what_the_querydict_route_writes(query, changes):
    querydict = QueryDict(query, mutable=True)
    before = querydict.urlencode()
    assert _querystring(querydict, changes) == _through_querydict(querydict, changes)
    assert querydict.urlencode() == before  # the FilterSet's query is untouched


def test_a_changed_key_keeps_its_place_and_new_keys_follow_in_order():
    querydict = QueryDict("b=1&a=2&c=3&page=4")
    assert _querystring(querydict, {"z": "9", "a": ["7", "8"], "y": "0"}) == "?b=1&a=7&a=8&c=3&z=9&y=0"
