from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from content.compliance import MAX_PHRASE_CHARS, MAX_PHRASES
from content.images import ImageSlot, problem_message
from content.models import ComplianceSettings, Post, Topic
from employees.models import Team
from networks import NETWORK_CHOICES, media

# The file name's ending must match what the file is.
IMAGE_EXTENSIONS = {
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
}
IMAGE_SLOTS = media.MAX_IMAGES
MAX_CAPTION_CHARS = 10_000
MAX_BODY_CHARS = 10_000


def validate_image_upload(upload) -> None:
    """Accept only real JPEG, PNG, GIF or WebP images within the size limits."""
    if upload.size > settings.MAX_IMAGE_BYTES:
        raise forms.ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_048_576, 1), "limit": settings.MAX_IMAGE_BYTES // 1_048_576}
        )
    try:
        upload.seek(0)
        mime, _width, _height = media.inspect(upload.read())
    except media.ImageProblem as problem:
        raise forms.ValidationError(problem_message(problem)) from None
    finally:
        upload.seek(0)
    extension = Path(upload.name).suffix.lower()
    if extension not in IMAGE_EXTENSIONS[mime]:
        raise forms.ValidationError(
            _("The file name ends in “%(extension)s” but the file is a %(format)s image. Rename it and try again.")
            % {"extension": extension or "—", "format": mime.removeprefix("image/").upper()}
        )


class ImagesForm(forms.Form):
    """The editor's image places: a file, its description, and "remove" for each."""

    def __init__(self, *args, existing=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.existing = list(existing)
        for number in range(1, IMAGE_SLOTS + 1):
            current = self.existing[number - 1] if number <= len(self.existing) else None
            self.fields[f"image_{number}"] = forms.FileField(
                label=_("Image %(number)s") % {"number": number},
                required=False,
                help_text=_("JPEG, PNG, GIF or WebP, up to %(limit)s MB.")
                % {"limit": settings.MAX_IMAGE_BYTES // 1_048_576},
            )
            self.fields[f"alt_{number}"] = forms.CharField(
                label=_("Description (alt text)"),
                required=False,
                max_length=media.MAX_ALT_CHARS,
                initial=current.alt_text if current else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"remove_{number}"] = forms.BooleanField(label=_("Remove"), required=False)

    def clean(self):
        cleaned = super().clean()
        for number in range(1, IMAGE_SLOTS + 1):
            upload = cleaned.get(f"image_{number}")
            if upload:
                try:
                    validate_image_upload(upload)
                except forms.ValidationError as exc:
                    self.add_error(f"image_{number}", exc)
        return cleaned

    def slot_rows(self):
        """Each place with its fields and the image now there, for the template."""
        for number in range(1, IMAGE_SLOTS + 1):
            yield {
                "number": number,
                "image": self[f"image_{number}"],
                "alt": self[f"alt_{number}"],
                "remove": self[f"remove_{number}"],
                "current": self.existing[number - 1] if number <= len(self.existing) else None,
            }

    def slots(self) -> list[ImageSlot]:
        return [
            ImageSlot(
                upload=self.cleaned_data.get(f"image_{number}") or None,
                alt_text=self.cleaned_data.get(f"alt_{number}", ""),
                remove=bool(self.cleaned_data.get(f"remove_{number}")),
            )
            for number in range(1, IMAGE_SLOTS + 1)
        ]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PostForm(forms.ModelForm):
    link_url = forms.URLField(
        label=_("Link"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("The page employees share. A preview is fetched when you save."),
    )

    class Meta:
        model = Post
        fields = ["title", "body", "link_url", "topics", "audience_teams", "expires_at", "internal_notes"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4, "maxlength": MAX_BODY_CHARS}),
            "internal_notes": forms.Textarea(attrs={"rows": 2, "maxlength": MAX_BODY_CHARS}),
            "topics": forms.CheckboxSelectMultiple,
            "audience_teams": forms.CheckboxSelectMultiple,
            "expires_at": DateTimeInput(),
        }

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("body", "internal_notes"):
            self.fields[name].max_length = MAX_BODY_CHARS
            self.fields[name].validators.append(MaxLengthValidator(MAX_BODY_CHARS))
        self.fields["topics"].queryset = Topic.objects.filter(organization=organization).order_by("name")
        self.fields["audience_teams"].queryset = Team.objects.filter(organization=organization).order_by("name")

    def clean_link_url(self):
        url = self.cleaned_data.get("link_url", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Only http and https links can be shared."))
        return url


class CaptionForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=[("", _("Any network")), *NETWORK_CHOICES], required=False)
    # A hard bound far above every network (LinkedIn: 3,000), whose limits explain themselves.
    text = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=MAX_CAPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "class": "caption-text"}),
    )


# absolute_max: a forged TOTAL_FORMS would otherwise make Django build and render 1,010 forms.
CaptionFormSet = formset_factory(CaptionForm, extra=2, max_num=10, validate_max=True, absolute_max=10)


class ScheduleForm(forms.Form):
    # Only "Schedule" needs a time (the service says so when it is missing): a
    # `required` field would stop the browser from saving a draft or publishing now.
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Only for “Schedule”. “Publish now” publishes at once."),
    )


class SuggestionForm(forms.Form):
    link_url = forms.URLField(label=_("Link"), max_length=1000, assume_scheme="https")
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Why should colleagues share this?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean_link_url(self):
        url = self.cleaned_data["link_url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Only http and https links can be shared."))
        return url


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class TopicForm(forms.Form):
    name = forms.CharField(label=_("New topic"), max_length=80)


class ComplianceForm(forms.ModelForm):
    class Meta:
        model = ComplianceSettings
        fields = ["disclosure_text", "disclosure_mode", "blocked_phrases", "alt_text_required"]
        widgets = {"blocked_phrases": forms.Textarea(attrs={"rows": 5})}

    def clean_blocked_phrases(self):
        text = self.cleaned_data.get("blocked_phrases", "")
        phrases = [line.strip() for line in text.splitlines() if line.strip()]
        if len(phrases) > MAX_PHRASES:
            raise forms.ValidationError(
                _("At most %(limit)s blocked words or phrases; this list has %(count)s.")
                % {"limit": MAX_PHRASES, "count": len(phrases)}
            )
        too_long = [phrase for phrase in phrases if len(phrase) > MAX_PHRASE_CHARS]
        if too_long:
            raise forms.ValidationError(
                _("A blocked phrase may be at most %(limit)s characters: “%(phrase)s…” is longer.")
                % {"limit": MAX_PHRASE_CHARS, "phrase": too_long[0][:40]}
            )
        return "\n".join(phrases)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("disclosure_mode") != ComplianceSettings.DisclosureMode.OFF
            and not cleaned.get("disclosure_text", "").strip()
        ):
            self.add_error("disclosure_text", _("Write the disclosure, or turn the rule off."))
        return cleaned
