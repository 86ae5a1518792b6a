"""Every API error is JSON with one shape, so client code needs a single error path.

    {"status": 400, "code": "invalid_parameter",
     "detail": "Invalid query parameter: year_from (Enter a whole number.)",
     "errors": {"year_from": ["Enter a whole number."]}}

`errors` is present only for 400s and maps each bad parameter to what it expects. The handler
is REST_FRAMEWORK["EXCEPTION_HANDLER"]; `api_not_found` answers unknown paths under /api/.
"""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import escape_leading_slashes
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid_parameter",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def _flatten(detail):
    """DRF error details (dicts/lists of ErrorDetail) as {param: [message, ...]}."""
    if isinstance(detail, dict):
        return {str(key): [str(m) for m in (value if isinstance(value, list) else [value])]
                for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(status_code, detail, errors=None):
    body = {"status": status_code, "code": _CODES.get(status_code, "error"), "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's 500 handling logs and reports it
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        summary = "; ".join(f"{name} ({' '.join(messages)})" for name, messages in errors.items())
        response.data = error_body(
            response.status_code, f"Invalid query parameter: {summary}", errors
        )
    elif isinstance(exc, exceptions.MethodNotAllowed):
        response.data = error_body(
            response.status_code,
            f"Method {context['request'].method} is not allowed: this API is read-only "
            "(GET, HEAD and OPTIONS only).",
        )
    elif isinstance(exc, exceptions.Throttled):
        response.data = error_body(
            response.status_code,
            f"Too many requests: try again in {exc.wait:.0f} seconds." if exc.wait else
            "Too many requests: try again later.",
        )
    elif response.status_code == status.HTTP_404_NOT_FOUND:
        detail = str(exc.detail) if isinstance(exc, exceptions.NotFound) else ""
        if not detail or detail == str(exceptions.NotFound.default_detail):
            detail = "No published item matches this address."
        response.data = error_body(response.status_code, detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = error_body(response.status_code, str(detail))
    return response


def api_not_found(request, path=""):
    """404 for any address under /api/ that is not an endpoint, as JSON and not the HTML page.

    A list or detail address missing only its trailing slash is redirected, as elsewhere.
    """
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            target = escape_leading_slashes(request.path + "/")
            if request.META.get("QUERY_STRING"):
                target += "?" + request.META["QUERY_STRING"]
            return HttpResponsePermanentRedirect(target)
    return JsonResponse(
        error_body(404, "There is no API endpoint at this address: see /api/v1/ for the list."),
        status=404,
    )
