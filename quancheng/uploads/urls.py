"""Included by ``quancheng/urls.py`` under ``api/v1/`` (before the API's own catch-all)."""

from django.urls import path

from quancheng.uploads import views

app_name = "uploads"
urlpatterns = [
    path("uploads/", views.collection, name="collection"),
    path("uploads", views.collection),
    path("uploads/<uuid:key>", views.resource, name="upload"),
]
