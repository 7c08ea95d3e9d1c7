"""Forms: the dashboard's filters (read from the query string) and the admins' settings."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.emv import ACTIONS, rates_with_defaults
from analytics.models import MAX_WEIGHT, WEIGHT_FIELDS, AnalyticsSettings
from content.models import Topic
from networks import NETWORK_CHOICES

PRESETS = [7, 30, 90, 365]
DEFAULT_DAYS = 30
MAX_DAYS = 366
# Dates a filter accepts. Far enough either way for any real report, and far from
# the calendar's ends, where the period before, the day after or a time zone's
# offset would step outside the dates Python and PostgreSQL can hold.
EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)
METRICS = {
    "potential_reach": gettext_lazy("Potential reach"),
    "engagements": gettext_lazy("Engagements"),
    "clicks": gettext_lazy("Clicks"),
}


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def organization_today(organization) -> date:
    return timezone.now().astimezone(_zone(organization.timezone)).date()


@dataclass
class Filters:
    start: date
    end: date
    network: str = ""
    team_id: int | None = None
    topic_id: int | None = None
    metric: str = "potential_reach"
    days: int | None = None
    timezone: str = "UTC"
    # Corrections made to what was asked, shown above the figures.
    notes: list[str] = field(default_factory=list)

    def moments(self) -> tuple[datetime, datetime]:
        """The period as [start, end) moments in the organization's time zone."""
        zone = _zone(self.timezone)
        start = datetime.combine(self.start, time.min, tzinfo=zone)
        return start, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> tuple[date, date]:
        """The period of the same length just before this one."""
        return self.start - timedelta(days=self.length), self.start - timedelta(days=1)

    def query(self, **overrides) -> dict[str, str]:
        """The filters as query parameters, for export links and pagination."""
        values = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "network": self.network,
            "team": str(self.team_id or ""),
            "topic": str(self.topic_id or ""),
            "metric": self.metric,
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value}


_SELECTED = mark_safe(" selected")


class ManyOptionsSelect(forms.Select):
    """A select written out in one pass, for lists as long as a large company's teams.

    Django's Select renders every option through a template: at 2,400 teams that was
    most of a cached dashboard's time. The same HTML (name, attributes, each option's
    value, `selected` and label, all escaped) is written here without one.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((choice, _SELECTED if str(choice) in chosen else "", label) for choice, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class FilterForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("Custom dates"))]
        + [(n, gettext_lazy("Last %(days)s days") % {"days": n}) for n in PRESETS],
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )
    network = forms.ChoiceField(
        label=gettext_lazy("Network"),
        required=False,
        choices=[("", gettext_lazy("Every network")), *NETWORK_CHOICES],
    )
    team = forms.TypedChoiceField(
        label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None, widget=ManyOptionsSelect
    )
    topic = forms.TypedChoiceField(
        label=gettext_lazy("Topic"), required=False, coerce=int, empty_value=None, widget=ManyOptionsSelect
    )
    metric = forms.ChoiceField(label=gettext_lazy("Chart"), required=False, choices=list(METRICS.items()))

    def __init__(self, data, *, scope, teams: bool = True, **kwargs) -> None:
        super().__init__(data, **kwargs)
        everyone = gettext_lazy("Every team") if scope.is_organization else gettext_lazy("All my teams")
        self.fields["team"].choices = [("", everyone), *scope.teams().values_list("id", "name")]
        topics = Topic.objects.filter(organization_id=scope.organization_id).order_by("name")
        self.fields["topic"].choices = [("", gettext_lazy("Every topic")), *topics.values_list("id", "name")]
        if not teams:
            del self.fields["team"]


def filters_from(data, *, scope, organization, teams: bool = True) -> tuple[Filters, FilterForm]:
    """Read the filters; anything invalid falls back to a default, with a note saying so."""
    form = FilterForm(data, scope=scope, teams=teams)
    today = organization_today(organization)
    notes: list[str] = []
    if form.is_valid():
        cleaned = form.cleaned_data
    else:
        notes.append(_("Some filters were not valid and were left out: %(fields)s.") % {"fields": _fields(form)})
        cleaned = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    start, end, days = cleaned.get("start"), cleaned.get("end"), cleaned.get("days")
    if days or not (start or end):
        days = days or DEFAULT_DAYS
        start, end = today - timedelta(days=days - 1), today
    else:
        days = None
        start = start or (end or today) - timedelta(days=DEFAULT_DAYS - 1)
        end = end or today
    if start > end:
        start, end = end, start
        notes.append(_("The start date was after the end date, so the two were swapped."))
    if end > today:
        end = today
        start = min(start, end)
        notes.append(_("Dates after today were left out."))
    if (end - start).days + 1 > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
        notes.append(
            _("A period is at most %(days)s days; it now starts on %(start)s.")
            % {
                "days": MAX_DAYS,
                "start": date_format(start, "SHORT_DATE_FORMAT"),
            }
        )
    # Show what is shown: the period actually used, whatever was asked.
    form.data = data.copy() if hasattr(data, "copy") else dict(data)
    if days:
        form.data["days"] = str(days)
        form.data.pop("start", None)
        form.data.pop("end", None)
    else:
        form.data["start"], form.data["end"] = start.isoformat(), end.isoformat()
    filters = Filters(
        start=start,
        end=end,
        network=cleaned.get("network") or "",
        team_id=cleaned.get("team"),
        topic_id=cleaned.get("topic"),
        metric=cleaned.get("metric") or "potential_reach",
        days=days,
        timezone=organization.timezone,
        notes=notes,
    )
    return filters, form


def too_small_note(min_size: int) -> str:
    """What is shown instead of a small team's figures in works-council mode."""
    return _("This team is too small to show figures for (fewer than %(count)s people).") % {"count": min_size}


def _fields(form: forms.Form) -> str:
    return ", ".join(str(form.fields[name].label) for name in form.errors if name in form.fields)


class AnalyticsSettingsForm(forms.ModelForm):
    """The admins' settings; one rate field per network and action is added on the fly."""

    class Meta:
        model = AnalyticsSettings
        fields = [
            "young_hours",
            "young_interval_minutes",
            "old_interval_hours",
            "stop_after_days",
            "leaderboard_enabled",
            "points_per_share",
            "points_per_engagement",
            "points_per_click",
            *WEIGHT_FIELDS.values(),
            "works_council",
            "council_min_team_size",
            "currency",
            "digests_enabled",
            "digest_weekday",
            "digest_hour",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rates = rates_with_defaults(self.instance.emv_rates)
        self.rate_rows = []
        for network, label in NETWORK_CHOICES:
            row = []
            for action, action_label in ACTIONS.items():
                name = f"rate_{network}_{action}"
                self.fields[name] = forms.DecimalField(
                    label=f"{label}: {action_label}",
                    min_value=Decimal(0),
                    max_digits=10,
                    decimal_places=4,
                    initial=rates[network][action],
                )
                row.append(name)
            self.rate_rows.append((label, row))
        self.fields["young_interval_minutes"].min_value = 5
        self.fields["stop_after_days"].max_value = 365
        self.fields["council_min_team_size"].required = False
        self.fields["council_min_team_size"].widget.attrs["min"] = 2
        for name in WEIGHT_FIELDS.values():
            # Left empty: the weight saved before. Out of range: one message that says the range.
            weight = self.fields[name]
            weight.required = False
            weight.widget.attrs.update({"min": 0, "max": MAX_WEIGHT})
            message = _("Enter a whole number from 0 to %(max)s (100 counts a share in full).") % {"max": MAX_WEIGHT}
            weight.error_messages.update({"invalid": message, "min_value": message, "max_value": message})

    def schedule_fields(self) -> list:
        return [
            self[name] for name in ("young_hours", "young_interval_minutes", "old_interval_hours", "stop_after_days")
        ]

    def points_fields(self) -> list:
        return [self[name] for name in ("points_per_share", "points_per_engagement", "points_per_click")]

    def weight_fields(self) -> list:
        return [self[name] for name in WEIGHT_FIELDS.values()]

    def rate_table(self) -> list:
        """(network label, [bound rate fields in ACTIONS order]) per network."""
        return [(label, [self[name] for name in names]) for label, names in self.rate_rows]

    def clean_digest_hour(self) -> int:
        hour = self.cleaned_data["digest_hour"]
        if hour > 23:
            raise forms.ValidationError(_("Choose an hour from 0 to 23."))
        return hour

    def clean_young_interval_minutes(self) -> int:
        minutes = self.cleaned_data["young_interval_minutes"]
        if minutes < 5:
            raise forms.ValidationError(_("Read at most every 5 minutes: the networks limit how often we may ask."))
        return minutes

    def clean_council_min_team_size(self) -> int:
        size = self.cleaned_data["council_min_team_size"]
        if size is None:
            # Left empty: the size saved before (5 until one is set).
            return self.instance.council_min_team_size or 5
        if size < 2:
            raise forms.ValidationError(_("A team shown must have at least 2 people."))
        return size

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code, such as EUR or DKK."))
        return currency

    def clean(self):
        cleaned = super().clean()
        for field_name in ("old_interval_hours", "stop_after_days", "young_hours"):
            if cleaned.get(field_name) == 0:
                self.add_error(field_name, _("Enter a number above zero."))
        for field_name in WEIGHT_FIELDS.values():
            if cleaned.get(field_name) is None and field_name not in self.errors:
                cleaned[field_name] = getattr(self.instance, field_name)
        return cleaned

    def rates(self) -> dict[str, dict[str, str]]:
        return {
            network: {action: str(self.cleaned_data[f"rate_{network}_{action}"]) for action in ACTIONS}
            for network, _label in NETWORK_CHOICES
        }
