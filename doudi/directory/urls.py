from django.urls import path

from doudi.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.index, name="index"),
    path("list/<slug:kind>/", views.listing, name="list"),
    path("centres/<int:pk>/", views.centre_detail, name="centre"),
    path("departments/<int:pk>/", views.department_detail, name="department"),
    path("windows/<int:pk>/", views.window_detail, name="window"),
    path("staff/<int:pk>/", views.staff_detail, name="staff"),
    path("items/<int:pk>/", views.service_item_detail, name="item"),
]
