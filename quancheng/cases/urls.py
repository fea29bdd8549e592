"""The case pages of this app, mounted by the shell under ``cases/`` (namespace ``cases``)."""

from django.urls import path

from quancheng.cases.views import cases, records

case_urls = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_open, name="open"),
    path("<int:pk>/move/", cases.case_move, name="move"),
    path("<int:pk>/end/", cases.case_end, name="end"),
    path("<int:pk>/records/new/", records.record_add, name="add_record"),
    path("<int:pk>/records/<int:record_id>/", records.record_history, name="record"),
    path("<int:pk>/records/<int:record_id>/correct/", records.record_correct, name="correct"),
    path("<int:pk>/records/<int:record_id>/sign/", records.record_sign, name="sign"),
]
