"""The dashboard's team and topic selects, written out in one pass, are the HTML Django's
own Select writes: same name, attributes, options, selection and escaping."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html
from django.utils.translation import gettext_lazy

from analytics.forms import FilterForm, ManyOptionsSelect
from analytics.selectors.scope import Scope

CHOICES = [("", gettext_lazy("Every team")), (3, "Nordics"), (12, 'R&D <"lab">'), (40, "Sales & 'Ops'")]


@pytest.mark.parametrize("value", [None, "", 12, "40", 999])
@pytest.mark.parametrize("attrs", [{"id": "id_team"}, {"id": "id_team", "disabled": True, "data-x": 'a"b'}])
def test_the_same_html_as_djangos_select(value, attrs):
    ours = ManyOptionsSelect(choices=CHOICES).render("team", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("team", value, attrs=attrs)
    assert parse_html(ours) == parse_html(django)
    assert "<script" not in ours and "&lt;&quot;lab&quot;&gt;" in ours


def test_the_filter_form_marks_the_chosen_team(cast):
    form = FilterForm({"team": str(cast.nordics.id)}, scope=Scope(cast.org.id, None))
    html = str(form["team"])
    assert parse_html(html) == parse_html(
        forms.Select(choices=form.fields["team"].choices).render("team", str(cast.nordics.id), attrs={"id": "id_team"})
    )
    assert f'<option value="{cast.nordics.id}" selected>Nordics</option>' in html
    assert "Other Inc" not in html
