"""Pages and their forms, read with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_INPUTS = {"text", "search", "email", "url", "password", "tel", "number", "datetime-local", "date", "time", ""}


@dataclass
class Field:
    name: str
    kind: str  # an input's type, "textarea" or "select"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons
    # htmx endpoints inside the form that receive its fields (live counters, previews).
    hx_posts: list[str] = field(default_factory=list)

    def key(self) -> tuple:
        """The same form of the same view for another row is submitted once."""
        from urllib.parse import urlsplit

        from django.urls import Resolver404, resolve

        try:
            view = resolve(urlsplit(self.action).path).view_name
        except Resolver404:
            view = self.action
        return (view, self.method, tuple(sorted(f.name for f in self.fields)))


@dataclass
class InlineCode:
    """Markup a strict Content-Security-Policy would block or that bypasses it."""

    tag: str
    what: str


class PageParser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.inline: list[InlineCode] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._script_without_src = False
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            if name.startswith("on") or name.startswith("hx-on"):
                self.inline.append(InlineCode(tag, f"{name}={value!r}"))
            elif name == "style":
                self.inline.append(InlineCode(tag, f"style={value!r}"))
            elif name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                self.inline.append(InlineCode(tag, f"{name}={value!r}"))
        if tag == "script":
            # Data blocks (json_script) are not run, so a policy need not allow them.
            runs = attributes.get("type", "").lower() in ("", "module", "text/javascript", "application/javascript")
            self._script_without_src = runs and "src" not in attributes
            self._script_text = []
        elif tag == "form":
            self._form = Form(
                action=attributes.get("action") or self.url, method=attributes.get("method", "get").lower()
            )
            self.forms.append(self._form)
        if self._form is None:
            return
        if "hx-post" in attributes and tag != "form":
            self._form.hx_posts.append(attributes["hx-post"])
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form.buttons.append((name, attributes.get("value", "")))
            elif kind != "reset":
                self._form.fields.append(
                    Field(
                        name, kind, attributes.get("value", "on" if kind == "checkbox" else ""), "checked" in attributes
                    )
                )
        elif tag == "button" and name and attributes.get("type", "submit") == "submit":
            self._form.buttons.append((name, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field(name, "select-multiple" if "multiple" in attributes else "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self._select.options.append(value)
            if "selected" in attributes:
                self._select.value = value
                self._select.checked = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            if self._script_without_src and "".join(self._script_text).strip():
                self.inline.append(InlineCode("script", "".join(self._script_text).strip()[:80]))
            self._script_without_src = False
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            if self._select is not None and not self._select.checked and self._select.options:
                self._select.value = self._select.options[0]
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._script_without_src:
            self._script_text.append(data)


def parse(url: str, html: str) -> PageParser:
    parser = PageParser(url)
    parser.feed(html)
    parser.close()
    return parser
