"""The SCIM 2.0 endpoint: requests handed to the SCIM library with the organization's storage.

Imported on the first SCIM request only (employees/scim/views.py): the library and its
models (about 12 MB) stay out of web processes that never serve one.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from scim2_models import PayloadTooLargeException, UnauthorizedException
from scim2_server.applications.base import BaseApplication
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from employees.scim import BASE_PATH, tokens
from employees.scim.provider import scim_provider
from employees.scim.storage import OrganizationStorage


def _application() -> BaseApplication:
    # The library's framework-free application: which requests need a token, the SCIM
    # error of any exception (a 500 without detail for a bug), the common headers.
    return BaseApplication(scim_provider(), ScimService(scim_provider()))


def _scim_request(request: HttpRequest, path: str) -> ScimRequest:
    return ScimRequest(
        method=request.method or "GET",
        base_url=request.build_absolute_uri(BASE_PATH),
        path=BaseApplication.split_path("/" + path),
        query={key: request.GET[key] for key in request.GET},
        headers=list(request.headers.items()),
    )


def _http_response(response: ScimResponse) -> HttpResponse:
    body = b"" if response.body is None else json.dumps(response.body).encode()
    http = HttpResponse(body, status=response.status.value)
    for name, value in response.headers.items():
        http[name] = value
    return http


def scim_response(request: HttpRequest, path: str = "") -> HttpResponse:
    application = _application()
    scim_request = _scim_request(request, path)
    try:
        try:
            scim_request.body = request.body
        except RequestDataTooBig:
            raise PayloadTooLargeException(
                detail=f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
            ) from None
        token = None
        if application.needs_auth(scim_request):
            token = tokens.scim_token_authenticate(header=request.headers.get("Authorization"))
            if token is None:
                raise UnauthorizedException(detail="Missing, unknown or revoked bearer token.")
        handler = ScimHandler(application.service, OrganizationStorage(token))
        response = handler.handle(scim_request)
    except Exception as exc:
        response = application.handle_exception(scim_request, exc)
    return _http_response(application.finalize_response(scim_request, response))
