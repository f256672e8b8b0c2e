"""Load every ISO 3166-1 country from pycountry, the maintained source, idempotently."""

from typing import Any

import pycountry


def load_countries(country_model: Any) -> int:
    rows = [
        country_model(iso3=c.alpha_3, iso2=c.alpha_2, name=getattr(c, "common_name", c.name))
        for c in pycountry.countries
    ]
    country_model.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["iso3"], update_fields=["iso2", "name"]
    )
    return len(rows)
