from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Contribution, Country, FocalPoint


class FocalPointForm(forms.ModelForm):
    # The encrypted columns are text fields; these are short values, one line each.
    name = forms.CharField(label=_("name"), max_length=200)
    email = forms.EmailField(label=_("email"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)

    class Meta:
        model = FocalPoint
        fields = ["country", "kind", "name", "title", "email", "phone", "active"]


class FocalPointInline(admin.StackedInline):
    model = FocalPoint
    form = FocalPointForm
    extra = 0


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso3", "iso2", "name", "compact_signed_on"]
    list_filter = [("compact_signed_on", admin.EmptyFieldListFilter)]
    search_fields = ["iso3", "iso2", "name"]
    readonly_fields = ["iso3", "iso2", "name"]
    inlines = [FocalPointInline]

    def has_add_permission(self, request: object) -> bool:
        # Countries come from pycountry (ISO 3166-1); only their commitments are edited here.
        return False


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["month", "mission", "country", "category", "count"]
    list_filter = ["category", "mission"]
    search_fields = ["country__iso3", "country__name", "mission__code"]
    date_hierarchy = "month"
    list_select_related = ["mission", "country"]
    autocomplete_fields = ["country"]
