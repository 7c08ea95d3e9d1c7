from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from content.models import FeedSource, Topic


class WebAddressField(forms.URLField):
    # Only what the fetcher will fetch: an ftp feed would fail at every poll.
    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": _("Enter a web address (http or https).")}


class FeedSourceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=FeedSource._meta.get_field("name").max_length,
        help_text=_("For example “Company blog” or “Newsroom”."),
    )
    url = WebAddressField(
        label=_("Feed address"),
        max_length=FeedSource._meta.get_field("url").max_length,
        assume_scheme="https",
        help_text=_("The address of an RSS or Atom feed. Many blogs and newsrooms have one, often ending in /feed."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics for new items"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    creates = forms.ChoiceField(
        label=_("New items become"),
        choices=FeedSource.Creates.choices,
        initial=FeedSource.Creates.DRAFT,
        widget=forms.RadioSelect,
        help_text=_("Drafts wait in the library; suggestions wait in the approval queue."),
    )
    is_active = forms.BooleanField(
        label=_("Check this feed for new items"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, organization, source: FeedSource | None = None, **kwargs) -> None:
        if source is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": source.name,
                "url": source.url,
                "topics": list(source.topics.values_list("id", flat=True)),
                "creates": source.creates,
                "is_active": source.is_active,
            }
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.filter(organization=organization).order_by("name")
