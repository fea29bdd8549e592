"""A case's documents: the PDF, signing it, sealing a record into one (mounted by the shell
under ``cases/``, namespace ``cases``)."""

from django.urls import path

from quancheng.documents import views

case_urls = [
    path("<int:pk>/documents/<int:doc_id>/", views.download, name="document"),
    path("<int:pk>/documents/<int:doc_id>/sign/", views.sign, name="sign_document"),
    path("<int:pk>/records/<int:record_id>/seal/", views.seal, name="seal"),
]
