"""Included by ``quancheng/urls.py`` under ``api/v1/`` (before the API's own catch-all)."""

from django.urls import path

from quancheng.ledger.witnesses import views as witness_views

app_name = "witness"
urlpatterns = [
    path("witness/add-checkpoint", witness_views.add_checkpoint, name="add-checkpoint"),
]
