"""API pagination: one default and one maximum page size, set in settings.

The parameters are strict so that a client's mistake is visible rather than silently corrected:
`page` and `page_size` must be whole numbers (400 naming the parameter otherwise), `page_size`
must be between 1 and API_MAX_PAGE_SIZE, and a page past the last one is a 404 that says how many
pages there are. Stable order is the views' job: every API queryset ends its ordering with `pk`.
"""

from django.conf import settings
from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from inlogov.faceting import CountedPaginator

_MAX_PAGE = 10**9


def _whole_number(request, name, low, high):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValidationError({name: [f"Expected a whole number from {low} to {high}."]})
    return value


class StandardPagination(PageNumberPagination):
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        size = _whole_number(request, self.page_size_query_param, 1, self.max_page_size)
        return size or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        number = _whole_number(request, self.page_query_param, 1, _MAX_PAGE) or 1
        self.request = request
        page_size = self.get_page_size(request)
        paginator = CountedPaginator(queryset, page_size, count=getattr(view, "known_total", None))
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(
                f"Page {number} does not exist: this list has {paginator.num_pages} "
                f"page{'s' if paginator.num_pages != 1 else ''}."
            ) from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1. A page past the last one is a 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": _MAX_PAGE},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page: default {self.page_size}, at most "
                f"{self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
