"""Every change to ratings and return visits.

Ratings: a window rating from the public page (a 差评 opens a rectification case), and the
task force's verification, exclusion and appeal decisions. Return visits: opened when a case is
answered, attempts logged, concluded by a supervisor or by the reporter's own rating, which
closes the case or reopens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.accounts.roles import Capability, capabilities_of
from doudi.cases.actions import Intake, Reporter, case_event, case_move, case_register
from doudi.cases.actions import notify_reporter as notify_case_reporter
from doudi.cases.models import Case, Channel
from doudi.cases.workflow import MOVES, VISIT_STATES, DomainError
from doudi.deadlines.actions import clock_start, clock_stop
from doudi.deadlines.models import ClockKind
from doudi.feedback import tokens
from doudi.feedback.models import Rating, RatingEvent, ReturnVisit, VisitAttempt
from doudi.feedback.workflow import (
    MAX_FAILED_ATTEMPTS,
    VERIFY_WORKING_DAYS,
    VISIT_WORKING_DAYS,
    Level,
    Method,
    RatingState,
    Source,
    VisitOutcome,
    is_bad,
    rating_guard,
    visit_outcome,
)
from doudi.lib.phone import normalise_phone
from doudi.triage.actions import triage_reopen
from doudi.triage.models import Tier
from doudi.triage.selectors import tier_days

if TYPE_CHECKING:
    from doudi.accounts.models import User
    from doudi.directory.models import Staff, Window

COMMENT_MAX = 500


@dataclass(frozen=True)
class Scores:
    level: int
    efficiency: int | None = None
    attitude: int | None = None
    professionalism: int | None = None

    def check(self) -> None:
        if self.level not in Level.values:
            raise DomainError(_("请选择总体评价。"))
        for value in (self.efficiency, self.attitude, self.professionalism):
            if value is not None and value not in Level.values:
                raise DomainError(_("评价等级无效。"))


def _event(
    rating: Rating, kind: str, *, actor: User | None, from_state: str = "", reason: str = ""
) -> None:
    RatingEvent.objects.create(
        rating=rating,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=rating.state,
        reason=reason,
    )


def rating_submit(
    *,
    window: Window,
    event_key: str,
    scores: Scores,
    comment: str = "",
    callback_phone: str = "",
    staff: Staff | None = None,
) -> Rating:
    """A rating of a window's service from its public page (no login). ``event_key`` names the
    service event (from the page's one-time token): a second rating of it is refused. A 差评
    opens a rectification case in the same transaction."""
    scores.check()
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("评价内容不能超过 %(n)s 字。") % {"n": COMMENT_MAX})
    if staff is not None and staff.window_id != window.pk:
        raise DomainError(_("所选工作人员不在本窗口。"))
    bad = is_bad(scores.level)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                source=Source.WINDOW,
                centre=window.centre,
                window=window,
                staff=staff,
                level=scores.level,
                efficiency=scores.efficiency,
                attitude=scores.attitude,
                professionalism=scores.professionalism,
                comment=comment,
                callback_phone=normalise_phone(callback_phone) if callback_phone else "",
                event_key=event_key,
                state=RatingState.TO_VERIFY if bad else RatingState.VALID,
            )
            _event(rating, "submit", actor=None)
            if bad:
                rating.rectification = _open_rectification(rating, window)
                rating.save(update_fields=["rectification"])
    except IntegrityError as exc:
        if Rating.objects.filter(event_key=event_key).exists():
            raise DomainError(_("本次服务已经评价过了，感谢您的参与。")) from exc
        raise
    return rating


def _open_rectification(rating: Rating, window: Window) -> Case:
    """A 差评 becomes a case (channel 差评) in the task force's queue, with two clocks: verify
    within one working day, fix within the centre's rectification tier (15 by default)."""
    levels = [
        f"{label}：{Level(value).label}"
        for label, value in (
            (_("总体评价"), rating.level),
            (_("办事效率"), rating.efficiency),
            (_("服务态度"), rating.attitude),
            (_("业务水平"), rating.professionalism),
        )
        if value
    ]
    description = "\n".join([rating.comment or _("（评价人未填写评价内容）"), "；".join(levels)])
    title = _("差评整改：%(window)s") % {"window": window}
    case = case_register(
        actor=None,
        intake=Intake(
            centre=window.centre,
            channel=Channel.BAD_REVIEW,
            title=title[:100],
            description=description,
            request=_("核实差评并整改"),
            matter_text=window.name,
            reporter=Reporter(anonymous=not rating.callback_phone, phone=rating.callback_phone),
            windows=[window],
            staff=[rating.staff] if rating.staff else [],
        ),
    )
    case_move(case_id=case.pk, move_name="send_to_triage", actor=None, by_system=True)
    now = timezone.now()
    clock_start(
        kind=ClockKind.VERIFY,
        case=case,
        counted_from=now,
        working_days=VERIFY_WORKING_DAYS,
        now=now,
    )
    clock_start(
        kind=ClockKind.FIX,
        case=case,
        counted_from=now,
        working_days=tier_days(window.centre, Tier.RECTIFICATION),
        now=now,
    )
    return case


def rating_move(*, actor: User, rating_id: int, move_name: str, reason: str = "") -> Rating:
    """Verify a 差评, exclude a rating, appeal one, or decide an appeal. Excluding ends the
    rectification case if it is still open; every move is logged in the audit trail."""
    reason = reason.strip()
    with transaction.atomic():
        rating = Rating.objects.select_for_update().get(pk=rating_id)
        move = rating_guard(move_name, rating.state, capabilities_of(actor.role))
        if move.needs_reason and not reason:
            raise DomainError(_("请说明理由。"))
        from_state = rating.state
        rating.state = move.target
        rating.save(update_fields=["state"])
        # Its event is in the audit log too (``audit_events_of`` in the app's ready).
        _event(rating, move_name, actor=actor, from_state=from_state, reason=reason)
        case = rating.rectification
        if case is not None:
            if move_name in ("verify", "exclude", "uphold_appeal"):
                clock_stop(kind=ClockKind.VERIFY, case=case)
            if move.target == RatingState.EXCLUDED:
                _void_rectification(case, actor=actor, reason=reason)
            elif move_name == "appeal":
                case_event(case, "rating_appealed", actor=actor, reason=reason, public=False)
    return rating


def _void_rectification(case: Case, *, actor: User, reason: str) -> None:
    if Case.objects.filter(pk=case.pk, state__in=MOVES["void_rectification"].sources).exists():
        case_move(
            case_id=case.pk,
            move_name="void_rectification",
            actor=actor,
            reason=reason,
            updates={"outcome": _("差评经核实不实，已剔除：%(reason)s") % {"reason": reason}},
        )


# Return visits ----------------------------------------------------------------------------


def _rating_url(case: Case, round_: int) -> str:
    path = tokens.case_rating_path(case.pk, round_)
    return f"{settings.DOUDI_PUBLIC_URL.rstrip('/')}{path}"


def visit_open(*, case: Case, now: datetime | None = None) -> ReturnVisit:
    """The case was answered: a return visit is due within three working days, and the
    reporter gets a link to rate the result themselves."""
    now = now or timezone.now()
    round_ = ReturnVisit.objects.filter(case=case).count() + 1
    visit = ReturnVisit.objects.create(case=case, round=round_, opened_at=now)
    clock_start(
        kind=ClockKind.VISIT,
        case=case,
        counted_from=now,
        working_days=VISIT_WORKING_DAYS,
        now=now,
    )
    clock_stop(kind=ClockKind.FIX, case=case, now=now)
    notify_case_reporter(
        case,
        "case_rating_link",
        rating_url=_rating_url(case, round_),
        valid_days=tokens.CASE_LINK_VALID_DAYS,
    )
    return visit


def _lock_open_visit(visit_id: int, actor: User | None) -> ReturnVisit:
    """The open visit, locked; ``actor`` (None: the reporter's own link) must make visits."""
    if actor is not None and Capability.SUPERVISE not in capabilities_of(actor.role):
        raise DomainError(_("您的角色不能进行此操作。"))
    visit = ReturnVisit.objects.select_for_update().select_related("case").get(pk=visit_id)
    if not visit.is_open:
        raise DomainError(_("本次回访已完成。"))
    if visit.case.state not in VISIT_STATES:
        raise DomainError(_("案件不在待回访状态。"))
    return visit


def visit_attempt_log(
    *, actor: User, visit_id: int, method: str, reached: bool, note: str = ""
) -> ReturnVisit:
    """Log a contact attempt. The third failed attempt closes the case as unreachable."""
    if method not in Method.values:
        raise DomainError(_("请选择回访方式。"))
    with transaction.atomic():
        visit = _lock_open_visit(visit_id, actor)
        _start(visit, actor=actor)
        VisitAttempt.objects.create(
            visit=visit, method=method, reached=reached, note=note.strip()[:200], actor=actor
        )
        failed = visit.attempts.filter(reached=False)
        if not reached and failed.count() >= MAX_FAILED_ATTEMPTS:
            summary = "；".join(
                f"{timezone.localtime(a.at):%m-%d %H:%M} {a.get_method_display()}"
                + (f"（{a.note}）" if a.note else "")
                for a in failed
            )
            note_text = _("%(n)s次联系未果：%(attempts)s") % {
                "n": failed.count(),
                "attempts": summary,
            }
            _conclude(
                visit, VisitOutcome.UNREACHABLE, actor=actor, note=note_text, by_reporter=False
            )
    return visit


def _start(visit: ReturnVisit, *, actor: User) -> None:
    if visit.case.state in MOVES["visit_start"].sources:
        case_move(case_id=visit.case_id, move_name="visit_start", actor=actor)


def visit_conclude(
    *,
    actor: User | None,
    visit_id: int,
    solved: bool,
    scores: Scores,
    comment: str = "",
    method: str = Method.PHONE,
) -> ReturnVisit:
    """Record the outcome of a return visit: by a supervisor who reached the reporter
    (``method``), or by the reporter through their link (``actor`` None). Solved and not a
    差评 closes the case; otherwise it is reopened to triage (counted). The rating feeds the
    same statistics as the window ratings."""
    scores.check()
    comment = comment.strip()[:COMMENT_MAX]
    by_reporter = actor is None
    with transaction.atomic():
        visit = _lock_open_visit(visit_id, actor)
        if actor is not None:
            _start(visit, actor=actor)
            if method not in Method.values:
                raise DomainError(_("请选择回访方式。"))
            VisitAttempt.objects.create(visit=visit, method=method, reached=True, actor=actor)
        case = visit.case
        visit.solved, visit.level, visit.comment = solved, scores.level, comment
        try:
            with transaction.atomic():
                Rating.objects.create(
                    source=Source.REPORTER if by_reporter else Source.VISIT,
                    centre_id=case.centre_id,
                    case=case,
                    level=scores.level,
                    efficiency=scores.efficiency,
                    attitude=scores.attitude,
                    professionalism=scores.professionalism,
                    comment=comment,
                    event_key=f"case:{case.pk}:{visit.round}",
                    state=RatingState.VALID,
                )
        except IntegrityError as exc:
            raise DomainError(_("本次办理结果已经评价过了。")) from exc
        _conclude(
            visit,
            visit_outcome(solved=solved, level=scores.level),
            actor=actor,
            note="",
            by_reporter=by_reporter,
        )
    return visit


def _conclude(
    visit: ReturnVisit, outcome: VisitOutcome, *, actor: User | None, note: str, by_reporter: bool
) -> None:
    now = timezone.now()
    visit.outcome, visit.note = outcome, note
    visit.concluded_at, visit.concluded_by, visit.by_reporter = now, actor, by_reporter
    visit.save(
        update_fields=[
            "outcome", "note", "solved", "level", "comment",
            "concluded_at", "concluded_by", "by_reporter",
        ]
    )  # fmt: skip
    clock_stop(kind=ClockKind.VISIT, case=visit.case, now=now)
    payload = {"round": visit.round, "solved": visit.solved, "level": visit.level}
    if outcome == VisitOutcome.REOPENED:
        case_move(
            case_id=visit.case_id,
            move_name="reopen",
            actor=actor,
            by_reporter=by_reporter,
            reason=visit.comment,
            payload=payload,
            updates={"reopen_count": visit.case.reopen_count + 1, "reopened_at": now},
        )
        triage_reopen(case=visit.case, now=now)
    else:
        case_move(
            case_id=visit.case_id,
            move_name="close" if outcome == VisitOutcome.CLOSED else "close_unreachable",
            actor=actor,
            by_reporter=by_reporter,
            reason=note or visit.comment,
            payload=payload,
        )
