"""The case page (mounted by the shell under ``cases/``, namespace ``cases``) and the list
of recordings due."""

from django.urls import path

from quancheng.casefile.views import case_page, due

case_urls = [
    path("<int:pk>/", case_page.case_detail, name="detail"),
]

urlpatterns = [
    path("recordings/due/", due.due_list, name="recordings_due"),
]
