from django.urls import path

from doudi.search import views

app_name = "search"
urlpatterns = [
    path("cases/<int:case_id>/similar/", views.similar_panel, name="similar"),
]
