from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from content.compliance import MAX_PHRASE_CHARS, MAX_PHRASES
from content.models import ComplianceSettings, Post, Topic
from employees.models import Team
from networks import NETWORK_CHOICES

ALLOWED_IMAGE_FORMATS = {"JPEG": {".jpg", ".jpeg"}, "PNG": {".png"}, "GIF": {".gif"}, "WEBP": {".webp"}}
MAX_IMAGE_PIXELS = 40_000_000
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
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise forms.ValidationError(_("This file is not an image we can read. Use JPEG, PNG, GIF or WebP.")) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise forms.ValidationError(
            _("%(format)s images are not supported. Use JPEG, PNG, GIF or WebP.") % {"format": image_format}
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise forms.ValidationError(_("The image is too large in pixels; scale it down first."))
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED_IMAGE_FORMATS[image_format]:
        raise forms.ValidationError(
            _("The file name ends in “%(extension)s” but the file is a %(format)s image. Rename it and try again.")
            % {"extension": extension or "—", "format": image_format}
        )


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
    image = forms.FileField(label=_("Image"), required=False, help_text=_("JPEG, PNG, GIF or WebP, up to 5 MB."))
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)

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

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload:
            validate_image_upload(upload)
        return upload

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
        fields = ["disclosure_text", "disclosure_mode", "blocked_phrases"]
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
