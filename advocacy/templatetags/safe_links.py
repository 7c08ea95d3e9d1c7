"""`{{ url|safe_href }}`: the one way a URL a network gave us becomes an href."""

from __future__ import annotations

from django import template

from networks.links import web_url

register = template.Library()


@register.filter
def safe_href(value: object) -> str:
    """The URL if it is an absolute http(s) address, else "" (then render no link).

    Rows stored before addresses were checked may still hold anything, so pages
    check again when they render.
    """
    return web_url(value, allow_http=True)
