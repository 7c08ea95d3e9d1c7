"""The project's form renderer: labels without Django's trailing colon."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates


class BoundField(forms.BoundField):
    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        # A label above its field reads as a heading; "Email:" is a form from 1999.
        return super().label_tag(contents, attrs, "" if label_suffix is None else label_suffix, tag)


class FormRenderer(DjangoTemplates):
    """Every form's fields get `BoundField` above (Django 5.2's `bound_field_class`)."""

    bound_field_class = BoundField
