"""Importing cases from a file (12345 transfers, historical data): asked for, then run.

``import_request`` checks the file can be read and has the required columns, keeps it under
DATA_DIR/imports, records the job (audited) and queues it. ``import_run`` (the worker, or the
command line directly) reads the file in batches of ``BATCH`` rows; "all or nothing" checks
every batch before loading any (two passes over the file), "good rows only" checks and loads
each batch in turn (one pass):

1. **check** every row (``columns.check_row``) and what only the database knows: the service
   item code exists, the source id is not repeated in the file, and whether it was imported
   before (those rows are skipped, not errors: a file loaded twice adds nothing). Every error
   goes to the report file (row, column, message); the first ones also to the job.
2. **load**: with mode "all or nothing" and any error, nothing is loaded (refused). Otherwise
   the good rows, in batches of ``BATCH``, each batch one transaction with its cases, their
   events, their search rows and the figures' marks. Batches commit one by one so that the
   centre goes on registering cases during a long import (SQLite has one writer); a load cut
   short (the server stopped) is finished by importing the same file again, which skips what
   is in. A batch rechecks which source ids exist, so that two imports of one file at once
   make no duplicate (the unique source reference refuses the slower batch).

The job row carries the progress (``checked``, ``loaded``), which the web page polls and the
command line draws as a bar.
"""

from __future__ import annotations

import csv
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.accounts.access import centre_scope_q
from doudi.accounts.roles import Capability, capabilities_of
from doudi.analytics.rollup import case_key, mark
from doudi.audit.actions import audit_record
from doudi.cases.actions import Imported, Intake, Reporter, cases_register_imported
from doudi.cases.models import Case, ReporterKind
from doudi.cases.signals import cases_imported
from doudi.core.bulk import bulk_session
from doudi.core.errors import DomainError, InvalidInput
from doudi.directory.access import service_item_visibility
from doudi.directory.models import Centre, ServiceItem
from doudi.imports import columns
from doudi.imports.columns import CLOSED, Header, Row
from doudi.imports.models import ImportJob, ImportMode, ImportStatus
from doudi.imports.reading import Table, file_format, open_table
from doudi.search.actions import BackgroundTokens, background_tokens, index_new_cases

if TYPE_CHECKING:
    from doudi.accounts.models import User

logger = logging.getLogger(__name__)
BATCH = 2000
MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000
REPORTED = 200  # errors kept on the job for the page; the report file has them all

Progress = Callable[[ImportJob], None]


def import_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def report_path(job: ImportJob) -> Path:
    return import_dir() / f"{job.pk}-report.csv"


def import_request(
    *,
    actor: User,
    name: str,
    data: bytes,
    centre_id: int,
    source: str,
    mode: str,
    enqueue: bool = True,
) -> ImportJob:
    """Keep the file and queue its import into a centre the actor may import into."""
    if Capability.CASE_IMPORT not in capabilities_of(actor.role):
        raise DomainError(_("您的角色不能导入案件。"))
    centre = Centre.objects.filter(centre_scope_q(actor), pk=centre_id).first()
    if centre is None:
        raise InvalidInput(_("请选择您可以导入的中心。"))
    problem = columns.check_source(source)
    if problem:
        raise InvalidInput(problem)
    if mode not in ImportMode.values:
        raise InvalidInput(_("请选择导入方式。"))
    fmt = file_format(name)
    if len(data) > MAX_BYTES:
        raise InvalidInput(too_large())
    import_dir().mkdir(parents=True, exist_ok=True)
    path = import_dir() / f"{uuid.uuid4().hex}.{fmt}"
    path.write_bytes(data)
    # The kept file goes again if anything below fails: a refused or unsaved job keeps none.
    try:
        table = open_table(path, fmt)
        _check_table(table, columns.read_header(table.header))
        job = _job_create(actor, centre, name, path, fmt, source, mode, table.rows)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _job_create(
    actor: User,
    centre: Centre,
    name: str,
    path: Path,
    fmt: str,
    source: str,
    mode: str,
    rows: int,
) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=actor,
            centre=centre,
            source=source,
            original_name=Path(name).name[:200],
            file=path.name,
            format=fmt,
            mode=mode,
            total=rows,
        )
        audit_record(
            actor=actor,
            action="import",
            object_type="import",
            object_id=job.pk,
            detail={
                "file": job.original_name,
                "rows": rows,
                "centre": centre.code,
                "source": source,
                "mode": mode,
            },
        )
    return job


def too_large() -> str:
    return _("文件超过 200 MB，请分成几个文件导入。")


def _check_table(table: Table, header: Header) -> None:
    if header.missing:
        raise InvalidInput(
            _("缺少必需的列：%(columns)s。请使用导入模板的表头。")
            % {"columns": "、".join(header.missing)}
        )
    if header.repeated:
        raise InvalidInput(_("这些列重复：%(columns)s。") % {"columns": "、".join(header.repeated)})
    if not table.rows:
        raise InvalidInput(_("文件只有表头，没有数据行。"))
    if table.rows > MAX_ROWS:
        raise InvalidInput(_("一次最多导入 %(n)s 行，请分成几个文件。") % {"n": MAX_ROWS})


def _enqueue(job_id: int) -> None:
    from doudi.imports.tasks import run_import

    run_import(job_id)


class _Checker:
    """The database's side of checking rows: service item codes, ids seen in the file, ids
    imported before."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        visible = ServiceItem.objects.filter(service_item_visibility(job.user), is_active=True)
        self.items = {item.code: item for item in visible.select_related("department")}
        self.seen: set[str] = set()

    def check(self, row: Row) -> None:
        values = row.values
        code = values.get("service_code")
        if code and code not in self.items:
            message = _("事项编码“%(code)s”不存在或已停用") % {"code": code}
            row.error(columns.column_name("service_code"), message)
        source_id = values.get("source_id")
        if source_id:
            if source_id in self.seen:
                row.error(columns.column_name("source_id"), _("与前面的行重复"))
            self.seen.add(source_id)

    def existing(self, rows: Sequence[Row]) -> set[str]:
        """The rows' source references already imported."""
        refs = [self.ref(row) for row in rows]
        found = Case.objects.filter(source_ref__in=refs).values_list("source_ref", flat=True)
        return {ref for ref in found if ref}

    def ref(self, row: Row) -> str:
        return columns.source_ref(self.job.source, row.values["source_id"])


def import_run(job_id: int, *, progress: Progress | None = None) -> ImportJob:
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING
    )
    job = ImportJob.objects.select_related("user", "centre").get(pk=job_id)
    if not claimed:
        return job
    try:
        table = open_table(import_dir() / job.file, job.format)
        header = columns.read_header(table.header)
        _check_table(table, header)
        with (
            report_path(job).open("w", encoding="utf-8-sig", newline="") as handle,
            bulk_session(),
            background_tokens(table.rows) as background,
        ):
            report = _Report(job, header, csv.writer(handle))
            if job.mode == ImportMode.ALL_OR_NOTHING:
                for batch in _batched(_rows(job, table, header)):
                    report.check(batch)
                    _step(job, progress, checked=job.checked + len(batch))
                report.close()
                if job.bad_rows:
                    _finish(job, ImportStatus.REFUSED)
                    return _done(job, progress)
            _set(job, status=ImportStatus.IMPORTING)
            for batch in _batched(_rows(job, table, header)):
                if job.mode == ImportMode.GOOD_ROWS:  # one pass: check, then load, each batch
                    report.check(batch)
                    job.checked += len(batch)
                _load(job, report, [row for row in batch if not row.errors], background)
                _step(job, progress, checked=job.checked, loaded=job.loaded + len(batch))
            report.close()
        _finish(job, ImportStatus.DONE)
    except DomainError as exc:
        _finish(job, ImportStatus.FAILED, error=str(exc))
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        message = _("导入中断：%(error)s") % {"error": str(exc)[:200]}
        _finish(job, ImportStatus.FAILED, error=message)
    return _done(job, progress)


def _done(job: ImportJob, progress: Progress | None) -> ImportJob:
    if progress:
        progress(job)
    return job


def _step(job: ImportJob, progress: Progress | None, **counts: int) -> None:
    _set(job, **counts)
    if progress:
        progress(job)


def _rows(job: ImportJob, table: Table, header: Header) -> Iterator[Row]:
    now = job.created_at
    for number, cells in enumerate(table.data(), 2):
        yield columns.check_row(number, cells, header, now=now)


class _Report:
    """The database's checks of each row (``_Checker``), and what is wrong, row by row: every
    problem to the report file, the first ``REPORTED`` to the job."""

    def __init__(self, job: ImportJob, header: Header, writer: Any) -> None:
        self.job, self.writer, self.checker = job, writer, _Checker(job)
        self.kept: list[list[Any]] = []
        self.ignored = list(header.ignored)
        writer.writerow([_("行号"), _("列"), _("问题")])

    def check(self, batch: list[Row]) -> None:
        for row in batch:
            self.checker.check(row)
            for column, message in row.errors:
                self.writer.writerow([row.number, column, message])
                if len(self.kept) < REPORTED:
                    self.kept.append([row.number, column, message])
            if row.errors:
                self.job.bad_rows += 1

    def close(self) -> None:
        report = {"errors": self.kept, "ignored_headers": self.ignored}
        _set(self.job, bad_rows=self.job.bad_rows, report=report)


def _load(
    job: ImportJob, report: _Report, good: list[Row], background: BackgroundTokens | None
) -> None:
    """One batch's good rows, in one transaction: those not imported before become cases."""
    checker = report.checker
    with transaction.atomic():
        existing = checker.existing(good)
        new = [_imported(job, checker, row) for row in good if checker.ref(row) not in existing]
        # The search tokens are made in the second process while this one writes the cases.
        made = background.start([_texts(row) for row in new]) if background else None
        cases = cases_register_imported(actor=job.user, rows=new, job_id=job.pk) if new else []
        index_new_cases(cases, tokens=made() if made else None)
        mark(case_key(case.pk) for case in cases)
        cases_imported.send(sender=ImportJob, cases=cases)
        _set(job, imported=job.imported + len(cases), skipped=job.skipped + len(good) - len(new))


def _imported(job: ImportJob, checker: _Checker, row: Row) -> Imported:
    values = row.values
    company = values["company_name"]
    registered: datetime = values["registered_at"]
    closed = values["status"] == CLOSED
    return Imported(
        intake=Intake(
            centre=job.centre,
            channel=values["channel"],
            title=values["title"],
            description=values["description"],
            request=values["request"],
            reporter=Reporter(
                kind=ReporterKind.COMPANY if company else ReporterKind.PERSON,
                anonymous=not (values["name"] or values["phone"] or company),
                name=values["name"],
                phone=values["phone"],
                id_number=values["id_number"],
                email=values["email"],
                company_name=company,
                credit_code=values["credit_code"],
            ),
            service_item=checker.items.get(values["service_code"]),
            matter_text="" if values["service_code"] else values["matter"],
            urgency=values["urgency"],
        ),
        registered_at=registered,
        source_ref=checker.ref(row),
        outcome=values["outcome"] if closed else "",
        answered_at=(values["answered_at"] or registered) if closed else None,
    )


def _texts(row: Imported) -> dict[str, str]:
    """The case's text as ``cases_register_imported`` will store it (but its number)."""
    intake = row.intake
    return {
        "title": intake.title,
        "description": intake.description,
        "request": intake.request,
        "matter_text": intake.matter_text,
        "outcome": row.outcome,
    }


def _batched(rows: Iterator[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _set(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: ImportJob, status: str, error: str = "") -> None:
    _set(job, status=status, error=error[:300], finished_at=timezone.now())
