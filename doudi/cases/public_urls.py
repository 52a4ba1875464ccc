from django.urls import path

from doudi.cases import public

app_name = "public"
urlpatterns = [
    path("r/<str:code>", public.window_page, name="window"),
    path("report/", public.report, name="report"),
    path("report/done/<str:number>/", public.done, name="done"),
    path("report/items/", public.service_item_options, name="items"),
    path("track/", public.track, name="track"),
    path("track/<str:number>/", public.tracked_case, name="case"),
    path("track/<str:number>/info/", public.add_info, name="add_info"),
    path("track/<str:number>/withdraw/", public.withdraw, name="withdraw"),
]
