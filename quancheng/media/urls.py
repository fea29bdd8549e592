"""A case's recordings: playing, the original, the thumbnail, the upload page (mounted by
the shell under ``cases/``, namespace ``cases``)."""

from django.urls import path

from quancheng.media.views import recordings, upload

case_urls = [
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
    path("<int:pk>/recordings/upload/", upload.recording_upload, name="upload_recording"),
]
