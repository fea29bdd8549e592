"""Web pages: sign-in, changing one's password, the language switch, and the case pages
(namespace ``cases``)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from quancheng.documents import views as documents
from quancheng.web.views import (
    accounts,
    cases,
    checkpoints,
    devices,
    recordings,
    records,
    uploads,
    verification,
)

case_patterns = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_open, name="open"),
    path("<int:pk>/", cases.case_detail, name="detail"),
    path("<int:pk>/move/", cases.case_move, name="move"),
    path("<int:pk>/end/", cases.case_end, name="end"),
    path("<int:pk>/records/new/", records.record_add, name="add_record"),
    path("<int:pk>/records/<int:record_id>/", records.record_history, name="record"),
    path("<int:pk>/records/<int:record_id>/correct/", records.record_correct, name="correct"),
    path("<int:pk>/records/<int:record_id>/sign/", records.record_sign, name="sign"),
    path("<int:pk>/recordings/<int:recording_id>/play/", recordings.recording_play, name="play"),
    path(
        "<int:pk>/recordings/<int:recording_id>/original/",
        recordings.recording_download,
        name="download",
    ),
    path(
        "<int:pk>/recordings/<int:recording_id>/thumbnail.jpg",
        recordings.recording_thumbnail,
        name="thumbnail",
    ),
    path("<int:pk>/recordings/upload/", uploads.recording_upload, name="upload_recording"),
    path("<int:pk>/documents/<int:doc_id>/", documents.download, name="document"),
    path("<int:pk>/documents/<int:doc_id>/sign/", documents.sign, name="sign_document"),
    path("<int:pk>/records/<int:record_id>/seal/", documents.seal, name="seal"),
]

device_patterns = [
    path("", devices.device_list, name="list"),
    path("new/", devices.device_register, name="register"),
    path("<str:serial>/", devices.device_detail, name="detail"),
    path("<str:serial>/<str:what>/", devices.device_act, name="act"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:list"), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChange.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/", include((case_patterns, "cases"))),
    path("devices/", include((device_patterns, "devices"))),
    path("recordings/due/", devices.due_list, name="recordings_due"),
    path("checkpoints/", checkpoints.checkpoint_list, name="checkpoints"),
    path("checkpoints/<int:pk>/note.txt", checkpoints.checkpoint_note, name="checkpoint_note"),
    path("verification/", verification.verification, name="verification"),
    path("verification/start/", verification.verification_start, name="verification_start"),
    path(
        "verification/<int:pk>/progress.json",
        verification.verification_progress,
        name="verification_progress",
    ),
]
