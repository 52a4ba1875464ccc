from django.urls import path

from doudi.accountability import views

app_name = "accountability"
urlpatterns = [
    path("", views.finding_list, name="findings"),
    path("<int:pk>/", views.finding_detail, name="finding"),
    path("<int:pk>/<str:move>/", views.finding_move, name="finding_move"),
    path("case/<int:case_id>/", views.case_panel, name="case_panel"),
    path("case/<int:case_id>/record/", views.finding_record, name="record"),
    path("staff/<int:pk>/", views.staff_record, name="staff"),
]
