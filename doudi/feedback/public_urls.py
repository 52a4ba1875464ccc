from django.urls import path

from doudi.feedback import public

app_name = "feedback_public"
urlpatterns = [
    path("r/<str:code>/rate/", public.window_rating, name="window_rating"),
    path("r/<str:code>/rate/thanks/", public.window_thanks, name="window_thanks"),
    path("rate/<str:token>/", public.case_rating, name="case_rating"),
]
