"""The product's URLs plus floors that benchmarks measure beside it on the same server.

Served only with DJANGO_SETTINGS_MODULE=benchsettings; the product never routes to these views.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from blueledger.core import clock
from blueledger.urls import urlpatterns as product_urlpatterns

BENCH_ROW_TABLE = "bench_row"


@csrf_exempt
@login_not_required
def insert_one_row(request: HttpRequest) -> HttpResponse:
    """Insert the request body as one row with one INSERT: the floor of a write endpoint."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BENCH_ROW_TABLE} (body, created_at) VALUES (%s, %s)",  # noqa: S608
            [
                request.body.decode("utf-8", "replace"),
                connection.ops.adapt_datetimefield_value(clock.now()),
            ],
        )
    return HttpResponse(status=201)


urlpatterns = [path("bench/insert", insert_one_row), *product_urlpatterns]
