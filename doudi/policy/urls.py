from django.urls import path

from doudi.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.problems, name="problems"),
    path("promote/", views.promote, name="promote"),
    path("issues/", views.issue_list, name="issues"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("issues/<int:pk>/edit/", views.issue_update, name="issue_update"),
    path("issues/<int:pk>/link/", views.issue_link, name="issue_link"),
    path("issues/<int:pk>/<str:move>/", views.issue_move, name="issue_move"),
    path("case/<int:case_id>/", views.case_panel, name="case_panel"),
]
