"""The preferences grid: one checkbox per event and channel, plus email and quiet hours."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import OFFERED, Channel, EmailFrequency, Event

HOURS = [("", _("None"))] + [(str(hour), f"{hour:02d}:00") for hour in range(24)]


def _cell(event: str, channel: str) -> str:
    return f"{event}__{channel}"


class GridForm(forms.Form):
    """Event × channel checkboxes; the email cell of new posts is a frequency instead."""

    new_post_email = forms.ChoiceField(label=_("Email about new posts"), choices=EmailFrequency.choices)

    def __init__(self, *args, grid: dict, new_post_email: str, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"]["new_post_email"] = new_post_email
        super().__init__(*args, **kwargs)
        for event, event_label in Event.choices:
            for channel, channel_label in Channel.choices:
                if (event == Event.NEW_POST and channel == Channel.EMAIL) or (event, channel) not in OFFERED:
                    continue
                self.fields[_cell(event, channel)] = forms.BooleanField(
                    label=f"{event_label}: {channel_label}",
                    required=False,
                    initial=grid.get(event, {}).get(channel, False),
                )

    def rows(self) -> list[tuple[str, list]]:
        """(event label, [bound field or the frequency field per channel]) for the template."""
        table = []
        for event, event_label in Event.choices:
            cells = []
            for channel in Channel.values:
                if event == Event.NEW_POST and channel == Channel.EMAIL:
                    cells.append(self["new_post_email"])
                elif (event, channel) not in OFFERED:
                    cells.append(None)
                else:
                    cells.append(self[_cell(event, channel)])
            table.append((event_label, cells))
        return table

    def cleaned_grid(self) -> dict[str, dict[str, bool]]:
        grid = {}
        for event in Event.values:
            grid[event] = {}
            for channel in Channel.values:
                if event == Event.NEW_POST and channel == Channel.EMAIL:
                    grid[event][channel] = self.cleaned_data["new_post_email"] != EmailFrequency.OFF
                else:
                    grid[event][channel] = bool(self.cleaned_data.get(_cell(event, channel)))
        return grid


class PreferencesForm(GridForm):
    language = forms.ChoiceField(
        label=_("Language of notifications"),
        choices=[("", _("The organization's language")), *list(settings.LANGUAGES)],
        required=False,
    )
    quiet_start = forms.TypedChoiceField(
        label=_("Quiet hours from"), choices=HOURS, coerce=int, empty_value=None, required=False
    )
    quiet_end = forms.TypedChoiceField(label=_("until"), choices=HOURS, coerce=int, empty_value=None, required=False)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("quiet_start") is None) != (cleaned.get("quiet_end") is None):
            raise forms.ValidationError(_("Give both the start and the end of your quiet hours, or neither."))
        return cleaned


class PushSubscriptionForm(forms.Form):
    """What the page's script posts from the browser's PushSubscription."""

    endpoint = forms.CharField(max_length=1000)
    p256dh = forms.CharField(max_length=200)
    auth = forms.CharField(max_length=100)
    device = forms.CharField(max_length=120, required=False)
