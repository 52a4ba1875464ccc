from django.urls import path

from doudi.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("template.csv", views.import_template, name="template"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/report.csv", views.import_report, name="report"),
]
