"""The device register's pages (namespace ``devices``)."""

from django.urls import path

from quancheng.devices import views

app_name = "devices"

urlpatterns = [
    path("", views.device_list, name="list"),
    path("new/", views.device_register, name="register"),
    path("<str:serial>/", views.device_detail, name="detail"),
    path("<str:serial>/<str:what>/", views.device_act, name="act"),
]
