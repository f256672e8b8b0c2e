"""Settings of the servers benchmarks start: the product's, plus bench-only URLs.

The benchmark names its throwaway database in BENCH_DATABASE_NAME (a SQLite file or a PostgreSQL
database on DATABASE_URL's server) so the server keeps the product's connection options.
"""

import os

from blueledger.settings import *  # noqa: F403
from blueledger.settings import DATABASES

ROOT_URLCONF = "benchurls"

if os.environ.get("BENCH_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
