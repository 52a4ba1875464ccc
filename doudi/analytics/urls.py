from django.urls import path

from doudi.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.drill, name="drill"),
    path("rankings/", views.rankings, name="rankings"),
]
