"""Write a release's allegation rows and count its tables in SQL, on SQLite and PostgreSQL.

The publication rules (``build`` describes them) run as a few INSERT ... SELECT statements over the
live tables and temporary tables, and the counts as GROUP BY queries, so no allegation passes
through Python: a million of them would cost a minute there. The temporary tables keep the
allegation and subject ids the rules need; they live in the builder's transaction and connection
only, and are dropped before it ends. Only codes, months and counts reach the published table.

Vendor differences: date arithmetic in ``_Dialect``; a few statements written once per vendor
(temporary tables keyed for lookups, the latest investigation, sorted JSON lists, and the insert,
which SQLite runs without its Python-level check constraint).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.db import IntegrityError, connection

from blueledger.cases.models import (
    Action,
    Allegation,
    Finding,
    InterimMeasure,
    Investigation,
    Referral,
    Subject,
    Victim,
)
from blueledger.cases.vocabularies import UNIFORMED_CATEGORIES
from blueledger.support.models import Child, PaternityClaim

from .models import PublishedAllegation

TEMPORARY = (
    "bl_pub_class",
    "bl_pub_policy",
    "bl_pub_victims",
    "bl_pub_investigation",
    "bl_pub_allegation",
    "bl_pub_member",
    "bl_pub_measure",
    "bl_pub_finding",
    "bl_pub_action",
    "bl_pub_claim",
    "bl_pub_paternity",
    "bl_pub_list_measure",
    "bl_pub_list_finding",
    "bl_pub_list_action",
)
# Each list column: its temporary tables' name, the live table, its code column, the policy flag.
LISTS = (
    ("measure", InterimMeasure, "kind", "p_measures"),
    ("finding", Finding, "outcome", "p_findings"),
    ("action", Action, "kind", "p_actions"),
)
# The tables counting allegations, rows (groups) and codes, by the column or table they count.
PER_ALLEGATION = {
    "mission": "allegations_by_year_mission",
    "sea_type": "allegations_by_year_classification",
    "status": "allegations_by_year_status",
}
PER_ROW = {"category": "allegations_by_year_category", "nat": "allegations_by_year_nationality"}
PER_CODE = {"findings_by_year_outcome": "bl_pub_finding", "actions_by_year_action": "bl_pub_action"}


class PolicyFlags(Protocol):
    """The fields of ``build.Policy`` that shape the rows."""

    @property
    def nationality(self) -> bool: ...
    @property
    def investigating_body(self) -> bool: ...
    @property
    def investigation_days(self) -> bool: ...
    @property
    def interim_measures(self) -> bool: ...
    @property
    def findings(self) -> bool: ...
    @property
    def actions(self) -> bool: ...
    @property
    def paternity(self) -> bool: ...


@dataclass
class Counts:
    """What the aggregate tables count, per table and cell."""

    cells: dict[str, Counter[tuple[str, ...]]] = field(default_factory=dict)
    days: list[tuple[str, int, int]] = field(default_factory=list)  # year, days, investigations
    allegations: int = 0
    rows: int = 0


@dataclass(frozen=True)
class _Dialect:
    month: str  # the first of the month of {0}
    year: str  # the year of {0}, as Python's str(year) writes it
    days: str  # days from {0} to {1}
    empty: str  # an empty JSON list
    scan: str  # after the allegation table: read it in id order


def _dialect() -> _Dialect:
    if connection.vendor == "postgresql":
        return _Dialect(
            month="date_trunc('month', {0})::date",
            year="EXTRACT(YEAR FROM {0})::int::text",
            days="({1} - {0})",
            empty="'[]'::jsonb",
            scan="",
        )
    # Django stores SQLite dates as 'YYYY-MM-DD' text.
    return _Dialect(
        month="substr({0}, 1, 8) || '01'",
        year="CAST(CAST(substr({0}, 1, 4) AS INTEGER) AS TEXT)",
        days="CAST(julianday({1}) - julianday({0}) AS INTEGER)",
        empty="'[]'",
        # Its planner would walk an index on (mission, received_on) to test the date, then fetch
        # each row: five times slower than the plain scan.
        scan="NOT INDEXED",
    )


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _column(model: Any, name: str) -> str:
    return str(connection.ops.quote_name(model._meta.get_field(name).column))


def _drop(cursor: Any) -> None:
    for name in TEMPORARY:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def publish_rows(
    release_id: int,
    organisation_id: int | None,
    today: date,
    classes: Mapping[int, tuple[str, bool]],
    policies: Mapping[int, PolicyFlags],
) -> Counts:
    """Insert the allegation rows of release RELEASE_ID and return what its tables count.

    POLICIES gives the policy of every organisation, CLASSES the published class of every
    misconduct type.
    """
    sql = _dialect()
    with connection.cursor() as cursor:
        # On failure the builder's transaction rolls the temporary tables back with the rest
        # (both vendors create them transactionally); an aborted PostgreSQL transaction would
        # refuse to drop them here anyway.
        _drop(cursor)
        if connection.vendor == "postgresql":
            # Compiling these short statements would cost more than running them (the estimate
            # of the per-subject lookups in _members crosses jit_above_cost).
            cursor.execute("SET LOCAL jit = off")
            # The build sorts and hashes the whole table a few times; with the default 4 MB each
            # spills to disk. Only this transaction gets more.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        _reference(cursor, classes, policies)
        _allegations(cursor, sql, organisation_id, today)
        _members(cursor)
        _lists(cursor)
        _paternity(cursor)
        _insert(cursor, sql, release_id)
        counts = _counts(cursor)
        _drop(cursor)
    return counts


def _reference(
    cursor: Any, classes: Mapping[int, tuple[str, bool]], policies: Mapping[int, PolicyFlags]
) -> None:
    cursor.execute(
        "CREATE TEMPORARY TABLE bl_pub_class (id INTEGER PRIMARY KEY, sea_type VARCHAR(64), "
        "is_sea BOOLEAN)"
    )
    cursor.executemany(
        "INSERT INTO bl_pub_class VALUES (%s, %s, %s)",
        [(pk, code, is_sea) for pk, (code, is_sea) in classes.items()],
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE bl_pub_policy (org INTEGER PRIMARY KEY, p_nationality BOOLEAN, "
        "p_body BOOLEAN, p_days BOOLEAN, p_measures BOOLEAN, p_findings BOOLEAN, "
        "p_actions BOOLEAN, p_paternity BOOLEAN)"
    )
    cursor.executemany(
        "INSERT INTO bl_pub_policy VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            (
                org,
                p.nationality,
                p.investigating_body,
                p.investigation_days,
                p.interim_measures,
                p.findings,
                p.actions,
                p.paternity,
            )
            for org, p in policies.items()
        ],
    )


def _keyed(
    cursor: Any, name: str, columns: Sequence[str], select: str, params: Sequence[Any]
) -> None:
    """Create temporary table NAME of COLUMNS from SELECT, keyed by the first column (an id)."""
    if connection.vendor == "sqlite":
        # A rowid table: joins on the key are lookups, not index searches.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {name} ({columns[0]} INTEGER PRIMARY KEY, "
            + ", ".join(columns[1:])
            + ")"
        )
        cursor.execute(f"INSERT INTO {name} ({', '.join(columns)}) {select}", params)  # noqa: S608
        return
    cursor.execute(f"CREATE TEMPORARY TABLE {name} ({', '.join(columns)}) AS {select}", params)
    # Temporary tables have no statistics until analysed: the planner would guess nested loops.
    cursor.execute(f"ANALYZE {name} ({columns[0]})")


def _allegations(cursor: Any, sql: _Dialect, organisation_id: int | None, today: date) -> None:
    """One row per published allegation: referred by TODAY and classified, with its victims, its
    latest investigation and its organisation's policy."""
    a_id, a_org = _column(Allegation, "id"), _column(Allegation, "organisation")
    received = f"a.{_column(Allegation, 'received_on')}"
    mission_model = Allegation._meta.get_field("mission").related_model
    victim_of = _column(Victim, "allegation")
    _keyed(
        cursor,
        "bl_pub_victims",
        ("aid", "total", "children"),
        f"""
        SELECT {victim_of}, COUNT(*), SUM(CASE WHEN {_column(Victim, "is_child")} THEN 1 ELSE 0 END)
        FROM {_table(Victim)} GROUP BY {victim_of}
        """,  # noqa: S608 (names are ours)
        (),
    )
    _latest_investigations(cursor, sql)
    scope = f" AND a.{a_org} = %s" if organisation_id is not None else ""
    _keyed(
        cursor,
        "bl_pub_allegation",
        ("aid", "month", "year", "mission", "sea_type", "is_sea", "adults", "children", "body")
        + ("days", "status", "p_nationality", "p_measures", "p_findings", "p_actions")
        + ("p_paternity",),
        f"""
        SELECT a.{a_id}, {sql.month.format(received)}, {sql.year.format(received)},
            COALESCE(m.{_column(mission_model, "code")}, ''),
            COALESCE(c.sea_type, ''), COALESCE(c.is_sea, FALSE),
            COALESCE(v.total - v.children, 0), COALESCE(v.children, 0),
            CASE WHEN p.p_body THEN COALESCE(i.body, '') ELSE '' END,
            CASE WHEN p.p_days THEN i.days END,
            a.{_column(Allegation, "status")},
            p.p_nationality, p.p_measures, p.p_findings, p.p_actions, p.p_paternity
        FROM {_table(Allegation)} a {sql.scan}
        JOIN bl_pub_policy p ON p.org = a.{a_org}
        LEFT JOIN {_table(mission_model)} m
            ON m.{_column(mission_model, "id")} = a.{_column(Allegation, "mission")}
        LEFT JOIN bl_pub_class c ON c.id = a.{_column(Allegation, "classification")}
        LEFT JOIN bl_pub_victims v ON v.aid = a.{a_id}
        LEFT JOIN bl_pub_investigation i ON i.aid = a.{a_id}
        WHERE a.{_column(Allegation, "classification")} IS NOT NULL AND {received} <= %s
            AND EXISTS (
                SELECT 1 FROM {_table(Referral)} r
                WHERE r.{_column(Referral, "allegation")} = a.{a_id}
                    AND r.{_column(Referral, "referred_on")} <= %s
            ){scope}
        """,  # noqa: S608 (names are ours)
        [today, today] + ([organisation_id] if organisation_id is not None else []),
    )


def _latest_investigations(cursor: Any, sql: _Dialect) -> None:
    """The body and days of each allegation's latest investigation (by start, then id)."""
    of, body, pk = (_column(Investigation, name) for name in ("allegation", "body", "id"))
    started, completed = (
        _column(Investigation, "started_on"),
        _column(Investigation, "completed_on"),
    )
    days = sql.days.format(started, completed)
    if connection.vendor == "sqlite":
        # Rows inserted in order replace the earlier ones of their allegation: the last stays,
        # with no window to sort for.
        cursor.execute(
            "CREATE TEMPORARY TABLE bl_pub_investigation (aid INTEGER PRIMARY KEY, body, days)"
        )
        cursor.execute(
            f"INSERT OR REPLACE INTO bl_pub_investigation (aid, body, days) "  # noqa: S608
            f"SELECT {of}, {body}, {days} FROM {_table(Investigation)} "
            f"ORDER BY {of}, {started}, {pk}"
        )
        return
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE bl_pub_investigation (aid, body, days) AS
        SELECT DISTINCT ON ({of}) {of}, {body}, {days} FROM {_table(Investigation)}
        ORDER BY {of}, {started} DESC, {pk} DESC
        """  # noqa: S608 (names are ours)
    )


def _members(cursor: Any) -> None:
    """One row per subject of a published allegation, and one for an allegation without subjects
    (its sid is the allegation id, negated), with the group of the counting rule it falls in: SEA
    per category and country, else per person. A group is named by its first subject's id (gid),
    unique across allegations; the row where sid = gid stands for the group."""
    s_id, s_of = _column(Subject, "id"), _column(Subject, "allegation")
    category, nationality = _column(Subject, "category"), _column(Subject, "nationality")
    uniformed = sorted(UNIFORMED_CATEGORIES)
    marks = ", ".join(["%s"] * len(uniformed))

    def nat(alias: str) -> str:
        return (
            f"CASE WHEN pa.p_nationality AND {alias}.{category} IN ({marks}) "
            f"THEN COALESCE({alias}.{nationality}, '') ELSE '' END"
        )

    # Most allegations have one subject: a lookup of an SEA subject's fellows costs less than
    # sorting every subject to find them.
    _keyed(
        cursor,
        "bl_pub_member",
        ("sid", "aid", "gid", "year", "category", "nat", "p_measures", "p_findings")
        + ("p_actions", "p_paternity"),
        f"""
        SELECT COALESCE(s.{s_id}, -pa.aid), pa.aid,
            CASE WHEN s.{s_id} IS NULL THEN -pa.aid
                WHEN pa.is_sea THEN (
                    SELECT MIN(o.{s_id}) FROM {_table(Subject)} o
                    WHERE o.{s_of} = pa.aid AND o.{category} = s.{category}
                        AND {nat("o")} = {nat("s")}
                )
                ELSE s.{s_id} END,
            pa.year, COALESCE(s.{category}, ''), {nat("s")},
            pa.p_measures, pa.p_findings, pa.p_actions, pa.p_paternity
        FROM bl_pub_allegation pa
        LEFT JOIN {_table(Subject)} s ON s.{s_of} = pa.aid
        """,  # noqa: S608 (names are ours)
        uniformed * 3,
    )
    cursor.execute("CREATE INDEX bl_pub_member_aid ON bl_pub_member (aid)")


def _lists(cursor: Any) -> None:
    """The distinct codes of each group's measures, findings and actions, as the policy allows,
    then each group's JSON list of them, sorted. Interim measures on a whole unit (no subject)
    belong to every group of the allegation."""
    for name, model, code, policy in LISTS:
        of, subject = _column(model, "allegation"), _column(model, "subject")
        whole_unit = ""
        if model is InterimMeasure:
            whole_unit = f"""
            UNION
            SELECT m.gid, m.year, t.{_column(model, code)} AS code
            FROM {_table(model)} t JOIN bl_pub_member m ON m.aid = t.{of}
            WHERE t.{subject} IS NULL AND m.{policy} AND m.sid = m.gid
            """  # noqa: S608 (names are ours)
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE bl_pub_{name} AS
            SELECT DISTINCT m.gid, m.year, t.{_column(model, code)} AS code
            FROM {_table(model)} t JOIN bl_pub_member m ON m.sid = t.{subject} AND m.aid = t.{of}
            WHERE m.{policy}
            {whole_unit}
            """  # noqa: S608 (names are ours)
        )
        _keyed(cursor, f"bl_pub_list_{name}", ("gid", "codes"), _sorted_lists(name), ())


def _sorted_lists(name: str) -> str:
    """Select each group's codes in temporary table bl_pub_NAME as a sorted JSON list."""
    table = f"bl_pub_{name}"
    if connection.vendor == "postgresql":
        return f"SELECT gid, jsonb_agg(code ORDER BY code) FROM {table} GROUP BY gid"  # noqa: S608
    # SQLite before 3.44 has no ORDER BY inside an aggregate. One or two codes are sorted by MIN
    # and MAX; the rare longer lists by a window, which aggregates in its own order.
    group = "PARTITION BY gid ORDER BY code"
    return f"""
        SELECT gid, CASE COUNT(*) WHEN 1 THEN json_array(MIN(code))
            ELSE json_array(MIN(code), MAX(code)) END
        FROM {table} GROUP BY gid HAVING COUNT(*) <= 2
        UNION ALL
        SELECT gid, codes FROM (
            SELECT gid, ROW_NUMBER() OVER ({group}) AS n,
                json_group_array(code) OVER (
                    {group} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) AS codes
            FROM {table}
            WHERE gid IN (SELECT gid FROM {table} GROUP BY gid HAVING COUNT(*) > 2)
        ) x WHERE n = 1
        """  # noqa: S608 (names are ours)


def _paternity(cursor: Any) -> None:
    """The paternity claims of published allegations, and each group's latest claim against one
    of its subjects."""
    victim_id, victim_of = _column(Victim, "id"), _column(Victim, "allegation")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE bl_pub_claim AS
        SELECT pa.aid, ch.{_column(Child, "alleged_father")} AS father,
            pc.{_column(PaternityClaim, "stage")} AS stage,
            pc.{_column(PaternityClaim, "id")} AS cid
        FROM {_table(PaternityClaim)} pc
        JOIN {_table(Child)} ch ON ch.{_column(Child, "id")} = pc.{_column(PaternityClaim, "child")}
        JOIN {_table(Victim)} v ON v.{victim_id} = ch.{_column(Child, "mother")}
        JOIN bl_pub_allegation pa ON pa.aid = v.{victim_of}
        """  # noqa: S608 (names are ours)
    )
    _keyed(
        cursor,
        "bl_pub_paternity",
        ("gid", "aid", "stage"),
        """
        SELECT gid, aid, stage FROM (
            SELECT m.gid, m.aid, c.stage,
                ROW_NUMBER() OVER (PARTITION BY m.gid ORDER BY c.cid DESC) AS latest
            FROM bl_pub_claim c JOIN bl_pub_member m ON m.sid = c.father AND m.aid = c.aid
            WHERE m.p_paternity
        ) x WHERE latest = 1
        """,
        (),
    )


def _insert(cursor: Any, sql: _Dialect, release_id: int) -> None:
    """Insert one published row per group, in allegation order."""
    # Every column of the published table but its key, in the model's order, which the SELECT
    # of _insert_rows follows.
    names = [f.name for f in PublishedAllegation._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(_column(PublishedAllegation, name) for name in names)
    unchecked = connection.vendor == "sqlite"
    if unchecked:
        # SQLite checks the table's "first of the month" constraint with a Python function per
        # row, a quarter of the build. The month is the first by construction and the lists
        # come from JSON functions; the one other check that live data could fail (days not
        # negative) is made here instead, failing the build as the constraint would.
        cursor.execute("SELECT 1 FROM bl_pub_allegation WHERE days < 0 LIMIT 1")
        if cursor.fetchone():
            raise IntegrityError("an investigation completed before it started")
        cursor.execute("PRAGMA ignore_check_constraints = ON")
    try:
        _insert_rows(cursor, sql, release_id, columns)
    finally:
        if unchecked:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def _insert_rows(cursor: Any, sql: _Dialect, release_id: int, columns: str) -> None:
    cursor.execute(
        f"""
        INSERT INTO {_table(PublishedAllegation)} ({columns})
        SELECT %s, pa.month, pa.mission, g.category, g.nat, pa.sea_type, pa.is_sea,
            pa.adults, pa.children, pa.body, pa.days, pa.status,
            COALESCE(lm.codes, {sql.empty}), COALESCE(lf.codes, {sql.empty}),
            COALESCE(la.codes, {sql.empty}), COALESCE(pt.stage, '')
        FROM bl_pub_member g
        JOIN bl_pub_allegation pa ON pa.aid = g.aid
        LEFT JOIN bl_pub_list_measure lm ON lm.gid = g.gid
        LEFT JOIN bl_pub_list_finding lf ON lf.gid = g.gid
        LEFT JOIN bl_pub_list_action la ON la.gid = g.gid
        LEFT JOIN bl_pub_paternity pt ON pt.gid = g.gid
        WHERE g.sid = g.gid
        ORDER BY g.aid, g.gid
        """,  # noqa: S608 (names are ours)
        [release_id],
    )


def _counts(cursor: Any) -> Counts:
    """Count the tables from the temporary tables: per allegation, per row or per code."""
    counts = Counts()
    cells = counts.cells
    for name in (*PER_ALLEGATION.values(), *PER_ROW.values(), *PER_CODE, "victims_by_year_age"):
        cells[name] = Counter()
    # One pass per table kind; the few combinations are added up here.
    cursor.execute(
        "SELECT year, mission, sea_type, status, COUNT(*), SUM(adults), SUM(children) "
        "FROM bl_pub_allegation GROUP BY 1, 2, 3, 4"
    )
    victims = cells["victims_by_year_age"]
    for year, mission, sea_type, status, n, adults, children in cursor.fetchall():
        year = str(year)
        for name, value in zip(PER_ALLEGATION.values(), (mission, sea_type, status), strict=True):
            cells[name][(year, value)] += int(n)
        counts.allegations += int(n)
        victims[(year, "adults")] += int(adults)
        victims[(year, "children")] += int(children)
    for key in [key for key, n in victims.items() if not n]:
        del victims[key]
    cursor.execute(
        "SELECT year, category, nat, COUNT(*) FROM bl_pub_member WHERE sid = gid GROUP BY 1, 2, 3"
    )
    for year, category, nat, n in cursor.fetchall():
        cells[PER_ROW["category"]][(str(year), category)] += int(n)
        if nat:
            cells[PER_ROW["nat"]][(str(year), nat)] += int(n)
        counts.rows += int(n)
    for name, table in PER_CODE.items():
        cursor.execute(f"SELECT year, code, COUNT(*) FROM {table} GROUP BY 1, 2")  # noqa: S608
        cells[name].update({(str(year), code): int(n) for year, code, n in cursor.fetchall()})
    cursor.execute(
        "SELECT year, days, COUNT(*) FROM bl_pub_allegation WHERE days IS NOT NULL GROUP BY 1, 2"
    )
    counts.days = [(str(year), int(days), int(n)) for year, days, n in cursor.fetchall()]
    # A claim counts once its allegation publishes a paternity status: all its claims then count.
    cursor.execute(
        "SELECT stage, COUNT(*) FROM bl_pub_claim WHERE aid IN ("
        "SELECT aid FROM bl_pub_paternity WHERE stage <> '') GROUP BY 1"
    )
    cells["paternity_claims_by_stage"] = Counter(
        {(stage,): int(n) for stage, n in cursor.fetchall()}
    )
    return counts
