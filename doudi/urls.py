from django.contrib import admin
from django.urls import include, path, re_path

from doudi.api.api import api, not_found

urlpatterns = [
    # The interfaces first: their requests come in volume and each tried pattern costs time
    # (the catch-alls "" below hold dozens), and their prefixes are theirs alone.
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", not_found),
    path("open311/v2/", include("doudi.open311.urls")),
    path("", include("doudi.core.urls")),
    path("accounts/", include("doudi.accounts.urls")),
    path("directory/", include("doudi.directory.urls")),
    path("cases/", include("doudi.cases.urls")),
    path("triage/", include("doudi.triage.urls")),
    path("workorders/", include("doudi.workorders.urls")),
    path("feedback/", include("doudi.feedback.urls")),
    path("accountability/", include("doudi.accountability.urls")),
    path("analytics/", include("doudi.analytics.urls")),
    path("exports/", include("doudi.exports.urls")),
    path("imports/", include("doudi.imports.urls")),
    path("reports/", include("doudi.reports.urls")),
    path("policy/", include("doudi.policy.urls")),
    path("search/", include("doudi.search.urls")),
    path("", include("doudi.cases.public_urls")),
    path("", include("doudi.feedback.public_urls")),
    path("", include("doudi.reports.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
