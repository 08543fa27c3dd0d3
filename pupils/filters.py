"""Filters for the register page (django-filter)."""

from functools import partial

import django_filters
from django import forms
from django.db.models import Q

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from send_register.datacache import cached

from .models import ON_REGISTER, BroadArea, ClassGroup, NeedType, Pupil, PupilNeed, SenStatus, YearGroup
from .widgets import FastSelect

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(queryset, name, value):
    if value == "yes":
        return queryset.filter(**{name: True})
    if value == "no":
        return queryset.filter(**{name: False})
    return queryset


class RegisterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="search")
    status = django_filters.ChoiceFilter(
        field_name="sen_status", label="Status", empty_label="Any status", widget=FastSelect,
        choices=[(s, SenStatus(s).label) for s in ON_REGISTER],
    )
    # The need types and classes come from the data cache: a trust has
    # thousands of classes, and every select is written by FastSelect rather
    # than a template per option (docs/performance.md).
    need = django_filters.ChoiceFilter(label="Need", choices=[], method="filter_need", empty_label="Any need", widget=FastSelect)
    area = django_filters.ChoiceFilter(
        label="Broad area of need", choices=BroadArea.choices, method="filter_area", empty_label="Any area", widget=FastSelect,
    )
    year = django_filters.ChoiceFilter(
        field_name="year_group", label="Year group", choices=YearGroup.choices, empty_label="Any year", widget=FastSelect,
    )
    class_group = django_filters.ChoiceFilter(field_name="form", label="Class", choices=[], empty_label="Any class", widget=FastSelect)
    pupil_premium = django_filters.ChoiceFilter(
        label="Pupil premium", choices=YES_NO, method="filter_flag", empty_label="Any", widget=FastSelect,
    )
    eal = django_filters.ChoiceFilter(label="EAL", choices=YES_NO, method="filter_flag", empty_label="Any", widget=FastSelect)
    looked_after = django_filters.ChoiceFilter(
        label="Looked after", choices=YES_NO, method="filter_flag", empty_label="Any", widget=FastSelect,
    )
    sex = django_filters.ChoiceFilter(field_name="sex", label="Sex", choices=Pupil.Sex.choices, empty_label="Any", widget=FastSelect)
    review_overdue = django_filters.ChoiceFilter(
        label="Review overdue", choices=[("yes", "Yes")], method="filter_review_overdue", empty_label="Any", widget=FastSelect,
    )
    sort = django_filters.OrderingFilter(
        widget=FastSelect,
        label="Sort by",
        fields=(
            ("legal_last_name", "name"),
            ("year_sort", "year"),
            ("form__name", "class"),
            ("status_sort", "status"),
        ),
        # django-filter looks up an ascending label by the model field's name
        # and a descending one by "-" and the parameter.
        field_labels={
            "legal_last_name": "Name (A to Z)", "-name": "Name (Z to A)",
            "year_sort": "Year group (youngest first)", "-year": "Year group (oldest first)",
            "form__name": "Class (A to Z)", "-class": "Class (Z to A)",
            "status_sort": "Status (EHC plan first)", "-status": "Status (monitoring first)",
        },
        empty_label="Name (A to Z)",
    )

    class Meta:
        model = Pupil
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Callables: read from the cache only if the form is built.
        self.filters["need"].extra["choices"] = _need_choices
        use_class_choices(self, "class_group", field_name="form", forms_only=True)

    def filter_review_overdue(self, queryset, name, value):
        """Pupils with a support plan review or an EHC review past its date
        (the dates come from reviews/deadlines.py through pupils.sections)."""
        if value != "yes":
            return queryset
        from send_register.calendar import today

        from .sections import pupils_with_overdue_reviews

        return queryset.filter(pk__in=pupils_with_overdue_reviews(today()))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        words = value.split()
        by_name = Q()
        for word in words:
            by_name &= (
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_first_name__icontains=word)
                | Q(preferred_last_name__icontains=word)
            )
        return queryset.filter(Q(upn__iexact=value.replace(" ", "").upper()) | by_name)

    def filter_need(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=PupilNeed.objects.filter(end_date__isnull=True, need_type_id=value).values("pupil_id"))

    def filter_area(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=PupilNeed.objects.filter(end_date__isnull=True, need_type__broad_area=value).values("pupil_id")
        )

    def filter_flag(self, queryset, name, value):
        return _yes_no(queryset, name, value)

    def form_html(self) -> str:
        """The filter form's fields, rendered. Unfiltered (the register as it
        opens), the same for everybody until the need types or classes change:
        kept in the data cache (docs/performance.md). Filtered, rendered each
        time (a search may hold a name, which is not kept in a cache)."""
        plain = not any(v for k, v in (self.data or {}).items() if k not in ("page", "per_page"))
        render = lambda: render_to_string("pupils/register_filters.html", {"form": self.form})  # noqa: E731
        return mark_safe(cached(f"register-filter-form:{type(self).__name__}", render) if plain else render())

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "govuk-select govuk-!-width-full")
            elif isinstance(field.widget, forms.TextInput):
                field.widget.attrs.setdefault("class", "govuk-input govuk-!-width-full")
        return form


CLASS_SELECT_LIMIT = 300  # more classes than this, and a class filter is a text box


def filter_choices() -> dict:
    """The need types to filter by, until they change."""
    return cached("register-filter-choices", lambda: {"needs": [(n.code, str(n)) for n in NeedType.objects.all()]})


def class_choices(*, forms_only: bool) -> dict:
    """The classes to filter by, until the data changes: {"many": whether there
    are more than CLASS_SELECT_LIMIT (a trust), "classes": [(id, name)] if not}.
    The same for everybody: a list of classes names no pupil."""

    def compute():
        classes = ClassGroup.objects.filter(kind=ClassGroup.Kind.FORM) if forms_only else ClassGroup.objects.all()
        rows = list(classes.order_by("name").values_list("pk", "name")[: CLASS_SELECT_LIMIT + 1])
        many = len(rows) > CLASS_SELECT_LIMIT
        return {"many": many, "classes": [] if many else [(str(pk), name) for pk, name in rows]}

    return cached(f"class-choices:{'forms' if forms_only else 'all'}:{CLASS_SELECT_LIMIT}", compute)


def use_class_choices(filterset, name: str, *, field_name: str, forms_only: bool) -> None:
    """Give the class filter `name` its choices from the data cache (read
    only if the form is built); a trust's thousands of classes are no list to
    scroll, so there it becomes a text box matching the class's name."""
    if class_choices(forms_only=forms_only)["many"]:
        text = django_filters.CharFilter(field_name=f"{field_name}__name", lookup_expr="iexact", label="Class (its name)")
        text.model, text.parent = filterset._meta.model, filterset
        filterset.filters[name] = text
    else:
        filterset.filters[name].extra["choices"] = partial(_class_list, forms_only)


def _class_list(forms_only: bool) -> list:
    return class_choices(forms_only=forms_only)["classes"]


def _need_choices():
    return filter_choices()["needs"]


class PupilFilter(RegisterFilter):
    """The same filters over every pupil on roll (to find a pupil who is not
    on the register yet)."""

    status = django_filters.ChoiceFilter(
        field_name="sen_status", label="Status", empty_label="Any status", widget=FastSelect,
        choices=[(s, SenStatus(s).label) for s in (SenStatus.NONE, *ON_REGISTER)],
    )
