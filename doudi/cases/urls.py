from django.urls import path

from doudi.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("new/<slug:variant>/", views.case_new, name="new_variant"),
    path("lookup/items/", views.lookup_items, name="lookup_items"),
    path("lookup/staff/", views.lookup_staff, name="lookup_staff"),
    path("lookup/phone/", views.lookup_phone, name="lookup_phone"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/<slug:move>/", views.case_act, name="act"),
    path("<int:pk>/reveal/", views.case_reveal, name="reveal"),
    path("<int:pk>/receipt/", views.case_receipt, name="receipt"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
