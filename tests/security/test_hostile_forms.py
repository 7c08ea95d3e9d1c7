"""Every form on every page, as each role, submitted with hostile text: no server
error, and the script a hostile colleague typed never comes back as markup.

The pages are the platform's own (see world.py for the patterns and the Acme rows
that fill their parameters) and allauth's account pages. Rendered pages are also
checked for inline script, inline event handlers and style attributes, which the
Content-Security-Policy would block.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from tests.security.crawl import Form, parse
from tests.security.world import all_routes

SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    SCRIPT,
    "' OR 1=1 --",
    "x" * 10_000,
    "nul\x00byte",
    "\u202etxt.exe",  # right-to-left override
    "👩‍👩‍👧‍👦 🇩🇰 émoji",
    "../../etc/passwd",
    "javascript:alert(1)",
]
# Choices, ids and hidden values are the client's to send as well: a superscript
# digit passes str.isdigit() but not int(), thirty nines overflow every integer column.
HOSTILE_CHOICES = [SCRIPT, "²", "9" * 30]

CHOICE_KINDS = ("checkbox", "radio", "select", "select-multiple", "hidden")

# Forms not to submit, and why.
NOT_SUBMITTED = {
    "account_logout": "logging out ends the crawl's session; it takes no input",
}
# allauth's account forms act on the visitor's own login, the same for every role:
# they are submitted in one role's crawl (their pages are read in every role's).
ACCOUNT_FORMS_IN = "alice"


def _pages(world, *, one_per_view: bool = False) -> list[str]:
    """Every page; a view that shows each of several rows differently is visited for each."""
    urls = []
    for route in all_routes():
        if (
            route.route.startswith(("admin/", "^scim/"))
            or route.name in NOT_SUBMITTED
            or route.name == "advocacy:tracked_link"
        ):
            continue
        if route.route.startswith("account/"):
            if not route.parameters:
                urls.append(reverse(route.name))
            continue
        variants = [url for _kwargs, url in route.urls(world)]
        urls.extend(variants[:1] if one_per_view else variants)
    return urls


def _data(form: Form, text: str, choice: str | None, *, button: tuple[str, str] | None) -> dict:
    """The form with `text` in every text field; `choice`, when given, in every
    choice, id and hidden field too."""
    data: dict[str, object] = {}
    for field in form.fields:
        if field.kind == "file":
            data[field.name] = SimpleUploadedFile("hostile.csv", text.encode("utf-8", "surrogatepass"))
        elif field.kind in ("checkbox", "radio"):
            if field.checked:
                data.setdefault(field.name, []).append(field.value)
        elif field.kind in CHOICE_KINDS[2:]:
            keep = choice is None or field.name == "csrfmiddlewaretoken"
            data[field.name] = field.value if keep else choice
        else:
            data[field.name] = text
    if button is not None:
        data[button[0]] = button[1]
    return data


def _rounds(form: Form) -> list[tuple[str, str | None]]:
    """(text, choice) per submission: every hostile text in every text field, then
    hostile choices; a form of buttons only is sent once per button."""
    has_text = any(field.kind not in CHOICE_KINDS for field in form.fields)
    has_choice = any(field.kind in CHOICE_KINDS[2:] and field.name != "csrfmiddlewaretoken" for field in form.fields)
    rounds = [(text, None) for text in (HOSTILE if has_text else HOSTILE[:1])]
    rounds += [(SCRIPT, choice) for choice in HOSTILE_CHOICES] if has_choice else []
    return rounds + [(SCRIPT, None)] * (len(form.buttons) - len(rounds))


def _echoes_script(response) -> bool:
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json")) or getattr(response, "streaming", False):
        return False
    return SCRIPT in response.content.decode("utf-8", "replace")


def _crawl(client, urls: list[str], problems: list[str]) -> tuple[list[Form], list[str]]:
    """The forms on the pages, and the pages that answered with one."""
    forms, shown = [], []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"GET {url}: {response.status_code}")
            continue
        if _echoes_script(response):
            problems.append(f"GET {url} shows the script unescaped")
        if response.status_code != 200:
            continue
        shown.append(url)
        if response.get("Content-Type", "").startswith("text/html"):
            page = parse(url, response.content.decode())
            problems.extend(f"GET {url}: inline {code.tag} {code.what}" for code in page.inline)
            forms.extend(page.forms)
    return forms, shown


@pytest.mark.parametrize("person", ["alice", "carol", "mike", "emma"])
def test_hostile_text_in_every_form_makes_no_server_error_and_no_script(world, cast, login, person):
    membership = getattr(cast, person)
    client = login(membership)
    client.raise_request_exception = False
    skipped = {reverse(name) for name in NOT_SUBMITTED}
    problems: list[str] = []
    found, shown = _crawl(client, _pages(world), problems)
    forms = {
        form.key(): form
        for form in found
        if form.action not in skipped and (person == ACCOUNT_FORMS_IN or not form.action.startswith("/account/"))
    }
    assert len(forms) > 5
    fuzzed_endpoints: set[str] = set()

    for form in forms.values():
        # A live counter or preview behind several forms is fuzzed once.
        targets = [(form.action, form.method)] + [
            (url, "post") for url in dict.fromkeys(form.hx_posts) if url not in fuzzed_endpoints
        ]
        fuzzed_endpoints.update(form.hx_posts)
        for number, (text, choice) in enumerate(_rounds(form)):
            button = form.buttons[number % len(form.buttons)] if form.buttons else None
            for url, method in targets:
                data = _data(form, text, choice, button=button)
                response = client.post(url, data) if method == "post" else client.get(url, data)
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url} with {(choice or text)[:30]!r}: {response.status_code}")
                if _echoes_script(response):
                    problems.append(f"{method.upper()} {url} with the script: echoed unescaped")
                if response.wsgi_request.user != membership.user:
                    client = login(membership)  # a form may log the crawler out; carry on as the role
                    client.raise_request_exception = False

    # What was saved is shown somewhere: every view once more, messages included.
    _crawl(client, list({resolve(urlsplit(url).path).view_name: url for url in shown}.values()), problems)
    assert not problems, "\n".join(dict.fromkeys(problems))


# Every query parameter a page here reads, filters and pagination included.
QUERY_PARAMETERS = [
    "page",
    "q",
    "topic",
    "team",
    "status",
    "role",
    "source",
    "action",
    "actor",
    "company",
    "again",
    "post",
    "profile",
    "network",
    "start",
    "end",
    "days",
    "metric",
]
HTMX_TARGETS = ["member-table", "post-table", "share-list", "feed-page"]


def test_hostile_query_parameters_make_no_server_error(world, login):
    client = login(world.ada)  # every role: every page answers
    client.raise_request_exception = False
    problems: list[str] = []
    _found, shown = _crawl(client, _pages(world, one_per_view=True), problems)
    plain = [({}, value) for value in HOSTILE_CHOICES]
    # The same views render a fragment for htmx; the script must stay escaped there too.
    fragments = [({"HX-Request": "true", "HX-Target": target}, SCRIPT) for target in HTMX_TARGETS]
    for url in shown:
        for headers, value in plain + fragments:
            response = client.get(url, dict.fromkeys(QUERY_PARAMETERS, value), headers=headers)
            if response.status_code >= 500:
                problems.append(f"GET {url} with {value[:30]!r} {headers}: {response.status_code}")
            if _echoes_script(response):
                problems.append(f"GET {url} with the script in its query: echoed unescaped")
    assert not problems, "\n".join(dict.fromkeys(problems))
