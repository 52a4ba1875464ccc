from django.urls import path

from doudi.feedback import views

app_name = "feedback"
urlpatterns = [
    path("visits/", views.visit_queue, name="visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/attempt/", views.visit_attempt, name="visit_attempt"),
    path("visits/<int:pk>/outcome/", views.visit_outcome, name="visit_outcome"),
    path("ratings/", views.rating_list, name="ratings"),
    path("ratings/<int:pk>/", views.rating_detail, name="rating"),
    path("ratings/<int:pk>/<str:move>/", views.rating_move, name="rating_move"),
    path("case/<int:case_id>/", views.case_panel, name="case_panel"),
]
