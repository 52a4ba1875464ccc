from django.urls import path

from doudi.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/file.<str:fmt>", views.report_file, name="file"),
]
