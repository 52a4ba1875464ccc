"""Return visits (回访) and ratings (好差评) in the JSON API: read them, log a visit's attempts
and conclude it, pass on a rating given elsewhere (the province's 好差评 system), verify or
appeal a 差评. Each endpoint checks access with the feedback app's access functions and
calls one of its actions."""

from __future__ import annotations

import uuid

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status

from doudi.api.common import PAGE_MAX, ApiError, newest_first, token_user
from doudi.api.models import Scope
from doudi.api.schemas import (
    Error,
    RatingIn,
    RatingOut,
    RatingPage,
    Reason,
    ScoresIn,
    Text,
    VisitAttemptIn,
    VisitConcludeIn,
    VisitOut,
    VisitPage,
)
from doudi.core.crypto import lookup_hash
from doudi.core.errors import DomainError
from doudi.directory.selectors import visible_staff, visible_windows
from doudi.feedback import actions
from doudi.feedback.access import access_rating, access_visit, visit_visibility
from doudi.feedback.models import Rating, ReturnVisit
from doudi.feedback.selectors import rating_list
from doudi.feedback.workflow import VisitOutcome

router = Router()


class PageFilters(Schema):
    cursor: int | None = Field(default=None, description="上一页的 next_cursor")
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)


class VisitFilters(PageFilters):
    open: bool | None = Field(default=None, description="true 只看待回访；false 只看已完成")


class RatingFilters(PageFilters):
    state: Text = ""
    bad: bool = Field(default=False, description="只看差评")


def _acting(call):  # type: ignore[no-untyped-def]
    """A move the rules refuse is a conflict (409), as for cases and work orders."""
    try:
        return call()
    except DomainError as error:
        raise ApiError(409, "invalid_move", str(error)) from error


# --- return visits --------------------------------------------------------------------------


def _visits(user: object) -> QuerySet[ReturnVisit]:
    return (
        ReturnVisit.objects.filter(visit_visibility(user))  # type: ignore[arg-type]
        .select_related("case")
        .annotate(attempt_count=Count("attempts"))
    )


def _visit_out(visit: ReturnVisit) -> VisitOut:
    return VisitOut(
        id=visit.pk,
        case_number=visit.case.number,
        round=visit.round,
        opened_at=visit.opened_at,
        outcome=visit.outcome,
        outcome_label=str(visit.get_outcome_display()),
        solved=visit.solved,
        level=visit.level,
        comment=visit.comment,
        concluded_at=visit.concluded_at,
        attempts=visit.attempt_count if hasattr(visit, "attempt_count") else visit.attempts.count(),
    )


@router.get(
    "/return-visits",
    response={200: VisitPage, 401: Error, 403: Error, 422: Error},
    summary="回访列表（新的在前，游标分页）",
    tags=["return visits"],
)
def list_visits(request: HttpRequest, filters: Query[VisitFilters]) -> VisitPage:
    visits = _visits(token_user(request, Scope.VISITS_READ))
    if filters.open is not None:
        visits = (visits.filter if filters.open else visits.exclude)(outcome=VisitOutcome.OPEN)
    page, cursor = newest_first(visits, filters.cursor, filters.limit)
    return VisitPage(items=[_visit_out(v) for v in page], next_cursor=cursor)


@router.get(
    "/return-visits/{visit_id}",
    response={200: VisitOut, 401: Error, 403: Error, 404: Error},
    summary="回访详情",
    tags=["return visits"],
)
def read_visit(request: HttpRequest, visit_id: int) -> VisitOut:
    user = token_user(request, Scope.VISITS_READ)
    return _visit_out(access_visit(user, visit_id))


_VISIT_RESPONSES = {200: VisitOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


@router.post(
    "/return-visits/{visit_id}/attempts",
    response=_VISIT_RESPONSES,
    summary="记录一次联系（第三次联系不上即以“联系不上”结束）",
    tags=["return visits"],
)
def log_attempt(request: HttpRequest, visit_id: int, data: VisitAttemptIn) -> VisitOut:
    user = token_user(request, Scope.VISITS_WRITE)
    visit = access_visit(user, visit_id, for_write=True)
    _acting(
        lambda: actions.visit_attempt_log(
            actor=user, visit_id=visit.pk, method=data.method, reached=data.reached, note=data.note
        )
    )
    return _visit_out(access_visit(user, visit.pk))


def _scores(data: ScoresIn) -> actions.Scores:
    return actions.Scores(data.level, data.efficiency, data.attitude, data.professionalism)


@router.post(
    "/return-visits/{visit_id}/conclude",
    response=_VISIT_RESPONSES,
    summary="回访结果：解决且满意即办结，否则重新办理",
    tags=["return visits"],
)
def conclude_visit(request: HttpRequest, visit_id: int, data: VisitConcludeIn) -> VisitOut:
    user = token_user(request, Scope.VISITS_WRITE)
    visit = access_visit(user, visit_id, for_write=True)
    _acting(
        lambda: actions.visit_conclude(
            actor=user,
            visit_id=visit.pk,
            solved=data.solved,
            scores=_scores(data),
            comment=data.comment,
            method=data.method,
        )
    )
    return _visit_out(access_visit(user, visit.pk))


# --- ratings ----------------------------------------------------------------------------------


def _rating_out(rating: Rating) -> RatingOut:
    return RatingOut(
        id=rating.pk,
        source=rating.source,
        centre=rating.centre.code,
        window=rating.window.code if rating.window else None,
        staff=rating.staff.employee_no if rating.staff else None,
        case_number=rating.case.number if rating.case else None,
        level=rating.level,
        efficiency=rating.efficiency,
        attitude=rating.attitude,
        professionalism=rating.professionalism,
        comment=rating.comment,
        state=rating.state,
        state_label=str(rating.get_state_display()),
        rated_at=rating.rated_at,
        rectification_case=rating.rectification.number if rating.rectification else None,
    )


@router.get(
    "/ratings",
    response={200: RatingPage, 401: Error, 403: Error, 422: Error},
    summary="评价列表（新的在前，游标分页）",
    tags=["ratings"],
)
def list_ratings(request: HttpRequest, filters: Query[RatingFilters]) -> RatingPage:
    user = token_user(request, Scope.RATINGS_READ)
    ratings = rating_list(user, state=filters.state, bad_only=filters.bad).select_related("case")
    page, cursor = newest_first(ratings, filters.cursor, filters.limit)
    return RatingPage(items=[_rating_out(r) for r in page], next_cursor=cursor)


@router.get(
    "/ratings/{rating_id}",
    response={200: RatingOut, 401: Error, 403: Error, 404: Error},
    summary="评价详情",
    tags=["ratings"],
)
def read_rating(request: HttpRequest, rating_id: int) -> RatingOut:
    user = token_user(request, Scope.RATINGS_READ)
    return _rating_out(access_rating(user, rating_id))


@router.post(
    "/ratings",
    response={201: RatingOut, 401: Error, 403: Error, 409: Error, 422: Error},
    summary="提交窗口服务评价（如省好差评系统转来的评价）；差评自动生成整改案件",
    tags=["ratings"],
)
def create_rating(
    request: HttpRequest,
    data: RatingIn,
    response: HttpResponse,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200),
) -> Status[RatingOut]:
    user = token_user(request, Scope.RATINGS_WRITE)
    # Ratings come from the people served, through another system (the province's 好差评);
    # a staff member's own token must not rate windows, their own included.
    if not request.auth.integration:  # type: ignore[attr-defined]
        raise ApiError(403, "forbidden", "只有对接系统的令牌可以转入评价。")
    key = idempotency_key.strip()
    if key:
        # The rated service event is the caller's key (a retry finds the first rating), hashed
        # with the server's secret and the account, so that nobody reaches another's rating.
        event_key = "api:" + lookup_hash(f"{user.pk}:{key}", purpose="rating")[:60]
        earlier = Rating.objects.filter(event_key=event_key).select_related("window").first()
        if earlier is not None:
            # The same key for another rating would otherwise drop it without a word.
            sent = (data.window, data.level, data.comment.strip())
            if (
                earlier.window.code if earlier.window else "",
                earlier.level,
                earlier.comment,
            ) != sent:
                raise ApiError(
                    422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一条内容不同的评价。"
                )
            response["Idempotent-Replayed"] = "true"
            return Status(201, _rating_out(access_rating(user, earlier.pk)))
    else:
        event_key = f"api:{uuid.uuid4().hex}"  # (event keys hold 64 characters)
    window = visible_windows(user).filter(code=data.window).first()
    if window is None:
        raise ApiError(422, "validation_error", "窗口编码无效。", {"window": ["找不到该窗口。"]})
    staff = None
    if data.staff:
        staff = visible_staff(user).filter(employee_no=data.staff).first()
        if staff is None:
            raise ApiError(422, "validation_error", "工号无效。", {"staff": ["找不到该工作人员。"]})
    try:
        rating = actions.rating_submit(
            window=window,
            event_key=event_key,
            scores=_scores(data),
            comment=data.comment,
            callback_phone=data.callback_phone,
            staff=staff,
        )
    except DomainError as error:
        raise ApiError(422, "domain_error", str(error)) from error
    return Status(201, _rating_out(access_rating(user, rating.pk)))


@router.post(
    "/ratings/{rating_id}/moves/{move}",
    response={200: RatingOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="核实、剔除、申诉差评（move: verify, exclude, appeal, uphold_appeal, reject_appeal）",
    tags=["ratings"],
)
def move_rating(request: HttpRequest, rating_id: int, move: Text, data: Reason) -> RatingOut:
    user = token_user(request, Scope.RATINGS_WRITE)
    rating = access_rating(user, rating_id)
    _acting(
        lambda: actions.rating_move(
            actor=user, rating_id=rating.pk, move_name=move, reason=data.reason
        )
    )
    return _rating_out(access_rating(user, rating.pk))
