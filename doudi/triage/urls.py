from django.urls import path

from doudi.triage import views

app_name = "triage"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("cases/<int:case_id>/", views.triage, name="triage"),
    path("issue/", views.issue, name="issue"),
    path("review/<int:case_id>/", views.review, name="review"),
    path("reassign/<int:work_order_id>/", views.reassign, name="reassign"),
    path("extensions/<int:extension_id>/", views.decide_extension, name="extension"),
    path("suggest/", views.suggest, name="suggest"),
    path("daily/", views.daily, name="daily"),
    path("daily/<int:pk>/", views.daily_detail, name="daily_detail"),
]
