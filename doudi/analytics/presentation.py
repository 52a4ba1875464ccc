"""How the figures are named and shown: on the dashboard, in reports, on the public page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from doudi.analytics.selectors import SPEC_BY_KEY, Breakdowns, Metric
from doudi.cases.models import Channel

# What each metric is called and how it is shown; formulas in docs/metrics.md.
LABELS: dict[str, Any] = {
    "received": _("受理"),
    "open": _("办理中"),
    "closed": _("已办结/已答复"),
    "response_rate": _("响应率"),
    "solved_rate": _("解决率"),
    "satisfied_rate": _("满意率"),
    "on_time_rate": _("按期办结率"),
    "on_the_spot_rate": _("当场办结率"),
    "reopen_rate": _("重办率"),
    "dispute_rate": _("退单率"),
    "answer_days": _("平均答复用时（工作日）"),
    "visits": _("平均跑动次数"),
    "bad_review_fixed_rate": _("差评按期整改率"),
    "overdue_now": _("当前逾期时限"),
    "provisional": _("暂定期限"),
}
HEADLINE = ("received", "response_rate", "solved_rate", "satisfied_rate")
WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


def present(metric: Metric) -> dict[str, Any]:
    spec = SPEC_BY_KEY[metric.key]
    if metric.value is None:
        shown = "—"
    elif spec.kind == "rate":
        shown = f"{metric.value * 100:.1f}%"
    elif spec.kind == "mean":
        shown = f"{metric.value:.2f}"
    else:
        shown = str(metric.value)
    return {
        "key": metric.key,
        "label": LABELS[metric.key],
        "shown": shown,
        "kind": spec.kind,
        "numerator": metric.numerator,
        "denominator": metric.denominator,
        "drillable": metric.drillable,
    }


def chart_data(charts: Breakdowns) -> dict[str, Any]:
    """What doudi/dashboard.js draws."""
    channel_names = dict(Channel.choices)
    return {
        "trend": charts.trend,
        "channels": [
            {"name": str(channel_names.get(row["name"], row["name"])), "value": row["n"]}
            for row in charts.channels
        ],
        "causes": [{"name": row["name"], "value": row["n"]} for row in charts.causes],
        "heatmap": charts.heatmap,
        "labels": {
            "received": str(_("受理")),
            "answered": str(_("答复")),
            "weekdays": [str(day) for day in WEEKDAYS],
        },
    }
