"""The Django admin, for superusers only, behind the platform's own login.

Its own login form would skip allauth's rate limits and two-factor authentication;
every admin login goes through allauth's instead (`secure_admin_login`), and once
logged in, only an active superuser gets in (staff status alone is not enough).
"""

from __future__ import annotations

from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def _is_superuser(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_superuser


def _superusers_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated and not _is_superuser(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def admin_site_secure() -> None:
    admin.site.has_permission = _is_superuser
    admin.site.login = secure_admin_login(_superusers_only(admin.site.login))
