"""Every change to the working-day calendar: seeding from the library, importing a year.

Both replace whole years (the days and the year row's stamp together, in one transaction), write
an audit entry, and after commit send ``signals.calendar_year_imported`` for each year whose
arrangement was added or changed, so that provisional deadlines can be recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.audit.actions import audit_record
from doudi.workcal import sources
from doudi.workcal.files import RowError, read_calendar_file
from doudi.workcal.models import CalendarDay, CalendarYear
from doudi.workcal.signals import calendar_year_imported

if TYPE_CHECKING:
    from doudi.accounts.models import User

# Plain strings, not CalendarYear.Source: the seed also runs on the historical models that
# post_migrate hands over, which have no nested classes.
LIBRARY, IMPORT = "library", "import"
OFFICIAL = (LIBRARY, IMPORT)


@dataclass
class ImportReport:
    year: int | None
    rows: int
    applied: bool
    holidays: int = 0
    makeup_days: int = 0
    replaced: bool = False  # the year had an arrangement before (library or an earlier import)
    errors: list[RowError] = field(default_factory=list)


def _announce(years: list[int]) -> None:
    """Send the signal for each year once the transaction has committed."""
    for year in years:
        transaction.on_commit(
            partial(calendar_year_imported.send, sender=CalendarYear, year=year), robust=True
        )


def _replace_days(
    day_model: Any, years: list[int], days: list[sources.SourceDay], using: str
) -> None:
    day_model.objects.using(using).filter(year__in=years).delete()
    day_model.objects.using(using).bulk_create(
        [day_model(day=row.day, kind=row.kind, name=row.name, year=row.day.year) for row in days]
    )


def _seed(year_model: Any, day_model: Any, *, actor_id: int | None, using: str) -> list[int]:
    """Add or refresh the library's years on the given (real or historical) models.

    Steps: read which years exist and their sources; of the years the library knows, leave
    alone those an admin imported, and those from the library whose days still equal the
    library's; replace the days of the rest and stamp their year rows (a handful of queries
    in all, whatever the number of years). Returns the years changed.
    """
    years = year_model.objects.using(using)
    existing = dict(years.values_list("year", "source"))
    library = {year: sources.library_days(year) for year in sources.library_years()}
    candidates = [year for year in library if existing.get(year) != IMPORT]
    stored: dict[int, set[tuple[Any, str, str]]] = {year: set() for year in candidates}
    for day, kind, name, year in (
        day_model.objects.using(using)
        .filter(year__in=candidates)
        .values_list("day", "kind", "name", "year")
    ):
        stored[year].add((day, kind, name))
    changed = [
        year
        for year in candidates
        if existing.get(year) != LIBRARY
        or stored[year] != {(row.day, row.kind, row.name) for row in library[year]}
    ]
    if not changed:
        return []
    _replace_days(day_model, changed, [row for year in changed for row in library[year]], using)
    stamp = {
        "source": LIBRARY,
        "imported_at": timezone.now(),
        "imported_by_id": actor_id,
        "note": f"chinese-calendar {sources.chinese_calendar_version()}",
    }
    years.filter(year__in=changed).update(**stamp)
    years.bulk_create([year_model(year=year, **stamp) for year in changed if year not in existing])
    return changed


def calendar_seed_from_library(*, actor: User | None = None) -> list[int]:
    """Fill the calendar from chinese-calendar; idempotent, and never over an admin's import.

    Returns the years added or refreshed (empty when nothing changed).
    """
    with transaction.atomic():
        years = _seed(
            CalendarYear,
            CalendarDay,
            actor_id=actor.pk if actor else None,
            using="default",
        )
        if years:
            audit_record(actor=actor, action="calendar.seed", detail={"years": years})
            _announce(years)
    return years


def seed_after_migrate(
    sender: Any, *, apps: Any = None, using: str = "default", **kwargs: Any
) -> None:
    """post_migrate: seed an empty calendar, so a fresh database has the official years.

    Runs on the migration state's models (``migrate`` passes them; ``flush``, as tests that
    commit use it, does not: then the installed models); does nothing once any year exists, or
    while the workcal tables are not migrated. Sends no signal: no deadline exists before the
    calendar.
    """
    if apps is None:
        from django.apps import apps
    try:
        year_model = apps.get_model("workcal", "CalendarYear")
        day_model = apps.get_model("workcal", "CalendarDay")
    except LookupError:
        return
    if year_model.objects.using(using).exists():
        return
    with transaction.atomic(using=using):
        _seed(year_model, day_model, actor_id=None, using=using)


def calendar_import(
    *, actor: User | None, content: bytes, file_format: str, note: str = ""
) -> ImportReport:
    """Import one year's State Council arrangement from CSV or JSON, all or nothing.

    Steps:
    1. Refuse a file over the import size limit.
    2. Read and check every line (``files.read_calendar_file``); on any error report them all
       by line and change nothing.
    3. In one transaction: lock (or create) the year's row, replace its days, mark it
       imported by ``actor`` now, and write an audit entry.
    4. After commit, send ``calendar_year_imported`` for the year.
    """
    if len(content) > settings.DOUDI_IMPORT_MAX_BYTES:
        limit = settings.DOUDI_IMPORT_MAX_BYTES // (1024 * 1024)
        message = _("文件超过 %(mb)s MB 的上限。") % {"mb": limit}
        return ImportReport(year=None, rows=0, applied=False, errors=[RowError(1, message)])
    parsed = read_calendar_file(content, file_format)
    report = ImportReport(year=parsed.year, rows=parsed.rows, applied=False, errors=parsed.errors)
    if parsed.errors or parsed.year is None:
        return report
    year = parsed.year
    with transaction.atomic():
        row = CalendarYear.objects.select_for_update().filter(year=year).first()
        report.replaced = row is not None and row.is_official
        if row is None:
            row = CalendarYear(year=year)
        _replace_days(CalendarDay, [year], parsed.days, "default")
        row.source = CalendarYear.Source.IMPORT
        row.imported_at = timezone.now()
        row.imported_by = actor
        row.note = note[:200]
        if row.pk is None:
            row.save()
        else:
            row.save(update_fields=["source", "imported_at", "imported_by", "note"])
        report.holidays = sum(1 for day in parsed.days if day.kind == sources.HOLIDAY)
        report.makeup_days = len(parsed.days) - report.holidays
        audit_record(
            actor=actor,
            action="calendar.import",
            object_type="calendar_year",
            object_id=year,
            detail={
                "holidays": report.holidays,
                "makeup_days": report.makeup_days,
                "replaced": report.replaced,
            },
        )
        _announce([year])
    report.applied = True
    return report
