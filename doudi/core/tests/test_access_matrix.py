"""The access matrix (issue 9): every URL pattern, every actor, objects inside and outside the
actor's scope, and what each cell must answer.

Size: 120 URL patterns in 136 rows × 10 actors × in/out/oth (on a row with an object) = 2666
cells; the admin's 184 patterns × 4 actors + 5 on its index = 741 cells; 3407 cells in all.

``MATRIX`` has one line per URL pattern (its name, or its route when it has none) and method.
``object`` names what fills the pattern's parameters, query or body (``matrix.py`` builds the
world, ``OBJECTS`` below picks from it): ``-`` or ``-…``, nothing or fixed values, one cell per
actor; anything else, three cells per actor, ``in/out/oth``, the same kind of object in each
half of the world: ``in`` of centre A and department X, the actors' own scope; ``out`` of
centre B and department Y (another centre); ``oth`` of centre A and department Y (another
department: inside a centre's scope, outside a department's). One code stands for all three.
The actors:

- ``anon``: nobody signed in (API and Open311: no token); ``off``: the live session of an
  account since deactivated (API and Open311: a revoked token);
- ``clerk`` ``tforce`` ``superv`` ``leader``: of centre A; ``handler`` ``leadx``: a handler and a
  leader of department X; ``admin``: global; ``integ``: an integration's token, an account of
  centre A that reads only the cases it registered (web pages: ``·``, not applicable).

A code is an HTTP status, or ``login`` (a redirect to the sign-in page), ``302`` (any other
redirect: a form refused with a message, or done), ``alogin`` (to the admin's sign-in page).
``+``: the request does its work, it changes rows. Every other cell must change nothing (row
counts and states of cases, work orders, events, ratings, findings, issues, jobs, the audit log
…): pages are fetched with GET; a POST-only endpoint gets a minimal body with which an actor who
may act does so. No answer may show an actor what it may not see: each case's number and
marker text, and those of its rating, finding, policy issue, window and staff member, are
looked for in every answer (and in CSV files); a reporter's name appears in full only in the
answer to a logged reveal; anonymous visitors see no case but the one their browser proved it
reported (``tracked``): another browser's request for a reporter's page is sent to the
tracking form. Each cell runs in a savepoint rolled back after it, so that the world,
built once per module, is the same for every cell.

The Django admin's patterns follow one rule (``ADMIN_EXCEPTIONS`` and below): everyone but the
admin is sent to the admin's sign-in page. A URL pattern added without a row here fails
``test_every_url_pattern_has_a_row``. The web pages' cells run here; the API's, Open311's and
the admin's in ``test_access_matrix_api.py`` (the suite's two workers share them).

403 or 404: web pages answer 404 for "missing", "not yours" and "not your role" alike (the
access functions); the API answers 403 for a token without the scope or a role that may not act
(``forbidden_scope``, ``forbidden``) and 404 for an object outside the account's scope; Open311
answers 403 for a missing or revoked ``api_key``, as its specification's error documents do.
"""
# ruff: noqa: E501  (the table's lines are as wide as its ten columns)

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

from doudi.core.tests.matrix import (
    PHONE,
    Row,
    Values,
    World,
    all_patterns,
    cells_of,
    import_file,
    parse,
    path_of,
    run_cell,
    send,
)

# --- The table ------------------------------------------------------------------------------
ACTORS = (
    "anon",
    "off",
    "clerk",
    "tforce",
    "handler",
    "superv",
    "leader",
    "leadx",
    "admin",
    "integ",
)

MATRIX = """
# url name                     method object     anon          off           clerk         tforce        handler       superv        leader        leadx         admin         integ
# --- the shell, signing in; the directory: a centre's staff see every department and service item (they route cases to them) ----------------------------------------------------------
core:home                      GET    -          login         login         200           200           200           200           200           200           200           ·
core:healthz                   GET    -          200           200           200           200           200           200           200           200           200           ·
accounts:login                 GET    -          200           200           302           302           302           302           302           302           302           ·
accounts:logout                GET    -          405           405           405           405           405           405           405           405           405           ·
set_language                   GET    -          302           302           302           302           302           302           302           302           302           ·
directory:index                GET    -          login         login         302           302           302           302           302           302           302           ·
directory:list                 GET    -          login         login         200           200           200           200           200           200           200           ·
directory:list                 GET    -centres   login         login         200           200           200           200           200           200           200           ·
directory:list                 GET    -depts     login         login         200           200           200           200           200           200           200           ·
directory:list                 GET    -staff     login         login         200           200           200           200           200           200           200           ·
directory:list                 GET    -items     login         login         200           200           200           200           200           200           200           ·
directory:centre               GET    centre     login         login         200/404/200   200/404/200   200/404/200   200/404/200   200/404/200   200/404/200   200           ·
directory:department           GET    dept       login         login         200           200           200/404/404   200           200           200/404/404   200           ·
directory:window               GET    window     login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
directory:staff                GET    staff      login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
directory:item                 GET    item       login         login         200           200           200/404/404   200           200           200/404/404   200           ·
# --- cases: "file" is the case of A with the attachment of A / B / AY (a file is reached through its own case only) -------------------------------------------------------------------
cases:list                     GET    q          login         login         200           200           200           200           200           200           200           ·
cases:new                      GET    -          login         login         200           200           404           404           404           404           404           ·
cases:new                      POST   newform    login         login         302+/200/302+ 302+/200/302+ 404           404           404           404           404           ·
cases:new_variant              GET    -          login         login         200           200           404           404           404           404           404           ·
cases:lookup_items             GET    -          login         login         200           200           200           200           200           200           200           ·
cases:lookup_staff             GET    -          login         login         200           200           200           200           200           200           200           ·
cases:lookup_phone             GET    -          login         login         200           200           200           200           200           200           200           ·
cases:detail                   GET    case       login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
cases:act                      POST   case       login         login         302+/404/302+ 302+/404/302+ 302/404/404   302/404/302   302/404/302   302/404/404   302           ·
cases:reveal                   POST   reveal     login         login         200+/404/200+ 200+/404/200+ 200+/404/404  200+/404/200+ 404           404           404           ·
cases:reveal                   POST   secret     login         login         404           200+/404/200+ 404           200+/404/200+ 404           404           404           ·
cases:receipt                  GET    case       login         login         200/404/200   200/404/200   404           404           404           404           404           ·
cases:attachment               GET    file       login         login         200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   ·
# --- triage: the task force -----------------------------------------------------------------------------------------------------------------------------------------------------------
triage:workspace               GET    -          login         login         404           200           404           404           404           404           404           ·
triage:triage                  POST   case       login         login         404           302/404/302   404           404           404           404           404           ·
triage:issue                   POST   ready      login         login         404           302+/302/302+ 404           404           404           404           404           ·
triage:review                  POST   case       login         login         404           302/404/302   404           404           404           404           404           ·
triage:reassign                POST   order      login         login         404           302/404/302   404           404           404           404           404           ·
triage:extension               POST   extension  login         login         404           302+/404/302+ 404           404           404           404           404           ·
triage:suggest                 POST   -          login         login         200           200           404           404           404           404           404           ·
triage:daily                   GET    -          login         login         404           200           404           404           404           404           404           ·
triage:daily_detail            GET    daily      login         login         404           200/404/200   404           404           404           404           404           ·
# --- work orders: handled by their department -----------------------------------------------------------------------------------------------------------------------------------------
workorders:inbox               GET    -          login         login         200           200           200           200           200           200           200           ·
workorders:inbox               GET    -signed    login         login         200           200           200           200           200           200           200           ·
workorders:supervision         GET    -          login         login         200           200           200           200           200           200           200           ·
workorders:detail              GET    order      login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
workorders:act                 POST   order      login         login         404           404           302+/404/404  404           404           404           404           ·
workorders:print               GET    order      login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
workorders:pdf                 GET    order      login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
# --- return visits (the supervisors) and ratings (a 差评: verifying it is the task force's move) ----------------------------------------------------------------------------------------
feedback:visits                GET    -          login         login         404           404           404           200           404           404           404           ·
feedback:visit                 GET    visit      login         login         404           404           404           200/404/200   404           404           404           ·
feedback:visit_attempt         POST   visit      login         login         404           404           404           302+/404/302+ 404           404           404           ·
feedback:visit_outcome         POST   visit      login         login         404           404           404           302/404/302   404           404           404           ·
feedback:ratings               GET    -          login         login         200           200           200           200           200           200           200           ·
feedback:rating                GET    rating     login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
feedback:rating_move           POST   rating     login         login         302/404/302   302+/404/302+ 302/404/404   302/404/302   302/404/302   302/404/404   302           ·
feedback:case_panel            GET    case       login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
# --- accountability: appealing a finding is the department's move ---------------------------------------------------------------------------------------------------------------------
accountability:findings        GET    -          login         login         200           200           200           200           200           200           200           ·
accountability:finding         GET    finding    login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
accountability:finding_move    POST   finding    login         login         302/404/302   302/404/302   302+/404/404  302/404/302   302/404/302   302/404/404   302           ·
accountability:case_panel      GET    case       login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
accountability:record          POST   case       login         login         404           404           404           302/404/302   404           404           404           ·
accountability:staff           GET    staff      login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
# --- figures (the drill-down filtered by the side's centre or department), exports (in: one's own; out, oth: another's), imports, reports ---------------------------------------------
analytics:dashboard            GET    -          login         login         404           200           404           200           200           200           200           ·
analytics:dashboard            GET    -year      login         login         404           200           404           200           200           200           200           ·
analytics:drill                GET    drill      login         login         404           200/404/200   404           200/404/200   200/404/200   200/404/200   200           ·
analytics:drill                GET    drilldept  login         login         404           200           404           200           200           200/404/404   200           ·
analytics:rankings             GET    -          login         login         404           200           404           200           200           200           200           ·
analytics:rankings             GET    -year      login         login         404           200           404           200           200           200           200           ·
exports:list                   GET    -          login         login         200           200           200           200           200           200           200           ·
exports:new                    POST   -          login         login         302+          302+          302+          302+          302+          302+          302+          ·
exports:detail                 GET    export     login         login         200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   ·
exports:download               GET    export     login         login         200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   200/404/404   ·
imports:list                   GET    -          login         login         404           200           404           404           404           404           200           ·
imports:list                   POST   newimport  login         login         404           302+/200/302+ 404           404           404           404           302+          ·
imports:template               GET    -          login         login         404           200           404           404           404           404           200           ·
imports:detail                 GET    import     login         login         404           200/404/200   404           404           404           404           200           ·
imports:report                 GET    import     login         login         404           200/404/200   404           404           404           404           200           ·
reports:list                   GET    -          login         login         200           200           200           200           200           200           200           ·
reports:detail                 GET    report     login         login         404           200/404/200   404           200/404/200   200/404/200   404           200           ·
reports:file                   GET    report     login         login         404           200/404/200   404           200/404/200   200/404/200   404           200           ·
# --- recurring problems and policy issues: the task force acts, a centre's supervisors and leaders read; "issuelink" links the issue of A to a case of A / B / AY -------------------------------------------------------------------
policy:problems                GET    -          login         login         404           200           404           200           200           404           404           ·
policy:problems                GET    problems   login         login         404           200           404           200           200           404           404           ·
policy:promote                 GET    centreq    login         login         404           200/404/200   404           404           404           404           404           ·
policy:promote                 GET    promote    login         login         404           200           404           404           404           404           404           ·
policy:issues                  GET    -          login         login         404           200           404           200           200           404           404           ·
policy:issue                   GET    issue      login         login         404           200/404/200   404           200/404/200   200/404/200   404           404           ·
policy:issue_update            POST   issue      login         login         404           302/404/302   404           404           404           404           404           ·
policy:issue_link              POST   issuelink  login         login         404           302+/302/302+ 404           404           404           404           404           ·
policy:issue_move              POST   issue      login         login         404           302+/404/302+ 404           404           404           404           404           ·
policy:case_panel              GET    case       login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
search:similar                 GET    case       login         login         200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           ·
# --- public pages (no login): a case only to the browser that proved it reported it (in: proved; out, oth: other cases) ---------------------------------------------------------------
public:window                  GET    -          200           200           200           200           200           200           200           200           200           ·
public:report                  GET    -          200           200           200           200           200           200           200           200           200           ·
public:done                    GET    tracked    200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   ·
public:items                   GET    -          200           200           200           200           200           200           200           200           200           ·
public:track                   GET    -          200           200           200           200           200           200           200           200           200           ·
public:case                    GET    tracked    200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   200/302/302   ·
public:add_info                POST   tracked    302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  ·
public:withdraw                POST   tracked    302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  302+/302/302  ·
feedback_public:window_rating  GET    -          200           200           200           200           200           200           200           200           200           ·
feedback_public:window_thanks  GET    -          200           200           200           200           200           200           200           200           200           ·
feedback_public:case_rating    GET    ratelink   200/404/200   200/404/200   200/404/200   200/404/200   200/404/200   200/404/200   200/404/200   200/404/200   200/404/200   ·
public_monthly                 GET    -          200           200           200           200           200           200           200           200           200           ·
# --- the JSON API: anon = no token, off = a revoked token -----------------------------------------------------------------------------------------------------------------------------
api:openapi-json               GET    -          200           200           200           200           200           200           200           200           200           200
api:openapi-view               GET    -          200           200           200           200           200           200           200           200           200           200
api:api-root                   GET    -          404           404           404           404           404           404           404           404           404           404
^api/v1/(?P<rest>.*)$          GET    -          404           404           404           404           404           404           404           404           404           404
api:create_case                POST   newcase    401           401           201+/422/201+ 201+/422/201+ 403           403           403           403           403           201+/422/201+
api:list_cases                 GET    q          401           401           200           200           200           200           200           200           200           200
api:list_cases                 GET    centrecode 401           401           200           200           200           200           200           200           200           200
api:read_case                  GET    case       401           401           200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           200/404/404
api:move_case                  POST   case       401           401           200+/404/200+ 200+/404/200+ 409/404/404   409/404/409   409/404/409   409/404/404   409           403
api:list_work_orders           GET    -          401           401           200           200           200           200           200           200           200           403
api:read_work_order            GET    order      401           401           200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           403
api:sign_work_order            POST   order      401           401           403/404/403   403/404/403   409/404/404   403/404/403   403/404/403   403/404/404   403           403
api:dispute_work_order         POST   order      401           401           403/404/403   403/404/403   409/404/404   403/404/403   403/404/403   403/404/404   403           403
api:submit_work_order          POST   order      401           401           403/404/403   403/404/403   200+/404/404  403/404/403   403/404/403   403/404/404   403           403
api:read_metrics               GET    -          401           401           403           200           403           200           200           200           200           403
api:list_centres               GET    -          401           401           200           200           200           200           200           200           200           200
api:list_departments           GET    -          401           401           200           200           200           200           200           200           200           200
api:list_windows               GET    -          401           401           200           200           200           200           200           200           200           200
api:list_service_items         GET    -          401           401           200           200           200           200           200           200           200           200
api:list_visits                GET    -          401           401           200           200           200           200           200           200           200           403
api:read_visit                 GET    visit      401           401           200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           403
api:log_attempt                POST   visit      401           401           404           404           404           200+/404/200+ 404           404           404           403
api:conclude_visit             POST   visit      401           401           404           404           404           200+/404/200+ 404           404           404           403
api:list_ratings               GET    -          401           401           200           200           200           200           200           200           200           403
api:create_rating              POST   newrating  401           401           403           403           403           403           403           403           403           201+/422/201+
api:read_rating                GET    rating     401           401           200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           403
api:move_rating                POST   rating     401           401           409/404/409   200+/404/200+ 409/404/404   409/404/409   409/404/409   409/404/404   409           409/404/409
# --- Open311 GeoReport v2 (.json): anon = no api_key, off = a revoked one -------------------------------------------------------------------------------------------------------------
open311:root                   GET    -          204           204           204           204           204           204           204           204           204           204
open311:discovery              GET    -          200           200           200           200           200           200           200           200           200           200
open311:services               GET    -          200           200           200           200           200           200           200           200           200           200
open311:service                GET    -          200           200           200           200           200           200           200           200           200           200
open311:requests               GET    -          403           403           200           200           200           200           200           200           200           200
open311:requests               GET    ids        403           403           200           200           200           200           200           200           200           200
open311:requests               POST   newreq     403           403           201+/404/201+ 201+/404/201+ 403           403           403           403           403           201+/404/201+
open311:request                GET    case       403           403           200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           200/404/404
open311:token                  GET    case       403           403           200/404/200   200/404/200   200/404/404   200/404/200   200/404/200   200/404/404   200           200/404/404
"""

# The Django admin's patterns: everyone but the admin is sent to the admin's sign-in page,
# except on that page itself and on its sign-out (POST only: a GET goes to the admin's index).
# Its gate is one test of the account (active, and ``is_staff``, which the admin role alone
# has): every pattern is tried by nobody, a deactivated account and a centre's and a
# department's staff; the other roles try the index; the admin gets in.
ADMIN_EXCEPTIONS = {"admin:login": "200", "admin:logout": "302"}
ADMIN_EVERY_PATTERN = ("anon", "off", "clerk", "handler")
ADMIN_INDEX = {**dict.fromkeys(("tforce", "superv", "leader", "leadx"), "alogin"), "admin": "200"}

# Rows anyone may open without signing in; on every other row ``anon`` and ``off`` must be
# refused (a sign-in redirect, 401, 403, 404 or 405), never answered.
PUBLIC = {
    "core:healthz",
    "accounts:login",
    "accounts:logout",
    "set_language",
    "public:window",
    "public:report",
    "public:done",
    "public:items",
    "public:track",
    "public:case",
    "public:add_info",
    "public:withdraw",
    "feedback_public:window_rating",
    "feedback_public:window_thanks",
    "feedback_public:case_rating",
    "public_monthly",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "^api/v1/(?P<rest>.*)$",
    "open311:root",
    "open311:discovery",
    "open311:services",
    "open311:service",
}
REFUSED = {"login", "401", "403", "404", "405"}
ROWS = parse(MATRIX, ACTORS)


# --- What each cell sends: the object of its side ---------------------------------------------
def _object(attribute: str, **names: str) -> Callable[[World, str, str], Values]:
    """The pk of the half's object under each name a pattern gives it (and other fields)."""

    def values(w: World, actor: str, side: str) -> Values:
        obj = getattr(w.halves[side], attribute)
        found: Values = {"pk": obj.pk}
        found.update({name: getattr(obj, source) for name, source in names.items()})
        return found

    return values


def _case(w: World, actor: str, side: str) -> Values:
    case = w.halves[side].case
    return {
        "pk": case.pk,
        "case_id": case.pk,
        "number": case.number,
        "token": case.number,
        "target": [(side, "case")],
    }


def _export(w: World, actor: str, side: str) -> Values:
    """In: the actor's own export; out: one of centre B's clerk; oth: another's of centre A."""
    if side == "in":
        return {"pk": w.exports.get(actor, w.exports["clerk"]).pk}
    if side == "out":
        return {"pk": w.exports["other"].pk}
    return {"pk": w.exports["tforce" if actor == "clerk" else "clerk"].pk}


def _rate_link(w: World, actor: str, side: str) -> Values:
    """In, oth: the link sent to the reporter of that half's answered case; out: one tampered
    with."""
    if side == "out":
        return {"token": w.rate_links["in"][:-3] + "xyz"}
    return {"token": w.rate_links[side], "target": [(side, "answered")]}


def _tracked(w: World, actor: str, side: str) -> Values:
    found: Values = {"number": w.halves[side].case.number, "target": [(side, "case")]}
    found["body"] = {"text": "补充一份说明", "reason": "已自行解决"}
    return found


def _new_case_form(w: World, actor: str, side: str) -> Values:
    half = w.halves[side]
    return {
        "body": {
            "submission_key": uuid.uuid4().hex,
            "centre": half.centre.pk,
            "reporter_kind": "person",
            "reporter_name": "张三丰",
            "reporter_phone": "13912345678",
            "service_item": f"{half.item.code} {half.item.name}",
            "visits": 1,
            "title": "窗口登记",
            "description": "材料齐全仍被退回",
            "urgency": "normal",
        }
    }


def _new_import(w: World, actor: str, side: str) -> Values:
    half = w.halves[side]
    upload = io.BytesIO(import_file(half.item.code))
    upload.name = "transfers.csv"
    return {"body": {"file": upload, "centre": half.centre.pk, "source": "12345", "mode": "all"}}


def _new_api_case(w: World, actor: str, side: str) -> Values:
    half = w.halves[side]
    return {
        "body": {
            "centre": half.centre.code,
            "title": "接口登记",
            "description": "材料齐全",
            "service_item": half.item.code,
            "reporter": {"name": "钱多多", "phone": "13700001111"},
        }
    }


def _new_request(w: World, actor: str, side: str) -> Values:
    half = w.halves[side]
    return {
        "body": {
            "service_code": half.item.code,
            "jurisdiction_id": half.centre.code,
            "description": "路灯不亮",
        }
    }


OBJECTS: dict[str, Callable[[World, str, str], Values]] = {
    "-": lambda w, a, s: {},
    # Lists once more with other parameters: their other kinds, tabs, periods.
    "-centres": lambda w, a, s: {"kind": "centres"},
    "-depts": lambda w, a, s: {"kind": "departments"},
    "-staff": lambda w, a, s: {"kind": "staff"},
    "-items": lambda w, a, s: {"kind": "items"},
    "-signed": lambda w, a, s: {"query": {"tab": "signed"}},
    "-year": lambda w, a, s: {"query": {"preset": "year"}},
    "centre": _object("centre"),
    "dept": _object("department"),
    "window": _object("window"),
    "staff": _object("staff"),
    "item": _object("item"),
    "case": _case,
    # The reveal of a case's personal data answers with the reporter's name in full.
    "reveal": lambda w, a, s: {**_case(w, a, s), "target": [(s, "case"), (s, "name")]},
    "secret": lambda w, a, s: {
        "pk": w.halves[s].secret.pk,
        "target": [(s, "secret"), (s, "secretname")],
    },
    "file": lambda w, a, s: {
        "pk": w.halves["in"].case.pk,
        "attachment_id": w.halves[s].attachment.pk,
    },
    "ready": lambda w, a, s: {"body": {"case": [w.halves[s].ready.pk]}},
    "order": _object("order", work_order_id="pk", number="number"),
    "extension": lambda w, a, s: {
        "extension_id": w.halves[s].extension.pk,
        "body": {f"e{w.halves[s].extension.pk}-decision": "approve"},
    },
    "daily": _object("daily"),
    "visit": _object("visit", visit_id="pk"),
    "rating": _object("rating", rating_id="pk"),
    "finding": _object("finding"),
    "export": _export,
    "import": _object("import_job"),
    "report": _object("report"),
    "issue": _object("issue"),
    "issuelink": lambda w, a, s: {
        "pk": w.halves["in"].issue.pk,
        "body": {"link-number": w.halves[s].ready.number},
    },
    "q": lambda w, a, s: {"query": {"q": w.halves[s].word}},
    "drill": lambda w, a, s: {
        "query": {"metric": "received", "preset": "year", "centre": w.halves[s].centre.pk}
    },
    "drilldept": lambda w, a, s: {
        "query": {"metric": "received", "preset": "year", "department": w.halves[s].department.pk}
    },
    "centreq": lambda w, a, s: {"query": {"centre": w.halves[s].centre.pk}},
    "centrecode": lambda w, a, s: {"query": {"centre": w.halves[s].centre.code}},
    # The recurring problems of February in the centre of the side (of B: the form refuses it).
    "problems": lambda w, a, s: {
        "query": {
            "centre": w.halves[s].centre.pk,
            "by": "reporters",
            "start": "2026-02-01",
            "end": "2026-02-28",
        }
    },
    # Promote the case of A and the case of the side, in centre A.
    "promote": lambda w, a, s: {
        "query": {
            "centre": w.halves["in"].centre.pk,
            "cases": f"{w.halves['in'].case.pk},{w.halves[s].case.pk}",
        }
    },
    "ids": lambda w, a, s: {"query": {"service_request_id": w.halves[s].case.number}},
    "tracked": _tracked,
    "ratelink": _rate_link,
    "newform": _new_case_form,
    "newimport": _new_import,
    "newcase": _new_api_case,
    "newrating": lambda w, a, s: {"body": {"window": w.halves[s].window.code, "level": 4}},
    "newreq": _new_request,
}

# The rest of some requests: the move or action named in the URL, a format, a code, a body
# with which an actor who may act does so.
EXTRA: dict[str, Callable[[World], Values]] = {
    "directory:list": lambda w: {"kind": "windows"},
    "cases:new_variant": lambda w: {"variant": "hotline"},
    "cases:lookup_phone": lambda w: {"query": {"reporter_phone": PHONE}},
    "cases:lookup_staff": lambda w: {"query": {"staff": "mk-"}},  # every marked staff member
    "search:similar": lambda w: {"query": {"scope": "all"}},  # not only the case's centre
    "cases:act": lambda w: {"move": "withdraw", "body": {"withdraw-reason": "已自行解决"}},
    "workorders:act": lambda w: {"action": "note", "body": {"text": "已电话联系"}},
    "feedback:visit_attempt": lambda w: {"body": {"method": "phone"}},
    "feedback:rating_move": lambda w: {"move": "verify"},
    "accountability:finding_move": lambda w: {
        "move": "appeal",
        "body": {"appeal-reason": "当事人否认"},
    },
    "exports:new": lambda w: {"body": {"kind": "cases", "format": "csv"}},
    "policy:issue_move": lambda w: {"move": "start"},
    "reports:file": lambda w: {"fmt": "pdf"},
    "public:window": lambda w: {"code": w.halves["in"].window.code},
    "feedback_public:window_rating": lambda w: {"code": w.halves["in"].window.code},
    "feedback_public:window_thanks": lambda w: {"code": w.halves["in"].window.code},
    "public_monthly": lambda w: {"code": w.halves["in"].centre.code},
    "^api/v1/(?P<rest>.*)$": lambda w: {"rest": "no/such/endpoint"},
    "api:move_case": lambda w: {"move": "withdraw", "body": {"reason": "已自行解决"}},
    "api:sign_work_order": lambda w: {"body": {}},
    "api:dispute_work_order": lambda w: {"body": {"reason": "不属于本部门"}},
    "api:submit_work_order": lambda w: {"body": {"result_kind": "solved", "result": "已办结"}},
    "api:log_attempt": lambda w: {"body": {"reached": False}},
    "api:conclude_visit": lambda w: {"body": {"solved": True, "level": 5}},
    "api:move_rating": lambda w: {"move": "verify", "body": {"reason": "核实属实"}},
    "open311:service": lambda w: {"code": w.halves["in"].item.code},
}


def run_rows(w: World, rows: list[Row]) -> tuple[int, list[str]]:
    _admin, patterns = all_patterns()
    checked, problems = 0, []
    for row in rows:
        for actor, side, code in row.expected():
            values = {**EXTRA.get(row.key, lambda w: {})(w), **OBJECTS[row.obj](w, actor, side)}
            if row.kind == "open311":
                values.setdefault("fmt", "json")
            pattern = patterns[row.key]
            problem = run_cell(w, row, pattern, actor, side, code, values, public=row.key in PUBLIC)
            checked += 1
            if problem:
                where = f"{row.key} {row.method} {row.obj} {actor}"
                problems.append(f"{where}{f' {side}' if row.scoped else ''}: {problem}")
    return checked, problems


# --- The tests --------------------------------------------------------------------------------
def test_every_url_pattern_has_a_row() -> None:
    _admin, patterns = all_patterns()
    keys = {row.key for row in ROWS}
    missing = sorted(set(patterns) - keys)
    assert not missing, f"URL patterns without a row in MATRIX: {missing}"
    stale = sorted(keys - set(patterns))
    assert not stale, f"rows of MATRIX without a URL pattern: {stale}"
    assert len({(row.key, row.method, row.obj) for row in ROWS}) == len(ROWS), "a row twice"
    for row in ROWS:
        assert row.obj in OBJECTS, f"{row.key}: no object {row.obj}"
        assert row.method in ("GET", "POST"), row.key
        for actor in ACTORS:
            applies = row.kind != "html" or actor != "integ"
            assert (row.cells[actor][0] != "·") == applies, f"{row.key} {actor}"


def test_anonymous_visitors_are_refused_every_page_but_the_public_ones() -> None:
    """The table itself: without a session or a token every page but the public ones is a
    redirect to sign in or a refusal (the cells check that the site does as the table says)."""
    for row in ROWS:
        if row.key not in PUBLIC:
            for actor in ("anon", "off"):
                assert set(row.cells[actor]) <= REFUSED, f"{row.key} answers {actor}"


def matrix_size() -> str:
    admin, others = all_patterns()
    admin_cells = len(admin) * len(ADMIN_EVERY_PATTERN) + len(ADMIN_INDEX)
    return (
        f"{len(others)} URL patterns in {len(ROWS)} rows × {len(ACTORS)} actors × in/out/oth "
        f"(on a row with an object) = {cells_of(ROWS)} cells; the admin's {len(admin)} "
        f"patterns × {len(ADMIN_EVERY_PATTERN)} actors + {len(ADMIN_INDEX)} on its index = {admin_cells} "
        f"cells; {cells_of(ROWS) + admin_cells} cells in all."
    )


def test_the_docstring_states_the_size_of_the_matrix() -> None:
    assert matrix_size() in " ".join((__doc__ or "").split()), matrix_size()


def test_every_web_page_cell_answers_as_the_table_says(matrix_world: World, db: None) -> None:
    """The web pages' cells (the API's, Open311's and the admin's: ``test_access_matrix_api``)."""
    rows = [row for row in ROWS if row.kind == "html"]
    checked, problems = run_rows(matrix_world, rows)
    assert not problems, f"{len(problems)} of {checked} cells differ:\n" + "\n".join(problems)
    assert checked == cells_of(rows)


def test_the_markers_are_there_to_be_found(matrix_world: World, db: None) -> None:
    """The leak check can see a leak: where the data is shown, its marker is in the page."""
    world = matrix_world
    inside = world.halves["in"]
    _admin, patterns = all_patterns()
    pages = [
        ("cases:detail", "clerk", "case"),
        ("workorders:detail", "handler", "case"),
        ("feedback:rating", "tforce", "rating"),
        ("accountability:finding", "superv", "finding"),
        ("policy:issue", "tforce", "issue"),
        ("api:read_case", "leader", "case"),
        ("open311:request", "integ", "case"),
    ]
    for key, actor, thing in pages:
        row = next(row for row in ROWS if row.key == key)
        values = {**OBJECTS[row.obj](world, actor, "in"), "fmt": "json"}
        response = send(world, row, actor, path_of(patterns[key], values), values)
        assert inside.markers[thing][0 if thing != "case" else 1] in response.content.decode()
