from django.contrib import admin
from django.urls import include, path

urlpatterns = [
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
    path("reports/", include("doudi.reports.urls")),
    path("", include("doudi.cases.public_urls")),
    path("", include("doudi.feedback.public_urls")),
    path("", include("doudi.reports.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
