"""The ledger's pages: checkpoints and their notes, and the verification page."""

from django.urls import path

from quancheng.ledger.views import checkpoints, verification

urlpatterns = [
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
