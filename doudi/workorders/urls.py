from django.urls import path

from doudi.workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("supervision/", views.supervision, name="supervision"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
]
