from django.urls import path

from doudi.reports import views

urlpatterns = [
    path("figures/<str:code>/", views.public_monthly, name="public_monthly"),
]
