from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    BODY_CAMERA = "body_camera", _("Body camera")
    CAMERA = "camera", _("Camera")
    VIDEO_CAMERA = "video_camera", _("Video camera")
    AUDIO_RECORDER = "audio_recorder", _("Audio recorder")
    HANDHELD_TERMINAL = "handheld_terminal", _("Handheld enforcement terminal")
    SURVEILLANCE = "surveillance", _("Video surveillance")


class Capability(models.TextChoices):
    """Special functions (anhui §13: explosion-proof, night vision, positioning)."""

    EXPLOSION_PROOF = "explosion_proof", _("Explosion-proof")
    NIGHT_VISION = "night_vision", _("Night vision")
    POSITIONING = "positioning", _("Positioning")


class DeviceStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    UNDER_REPAIR = "under_repair", _("Under repair")
    RETIRED = "retired", _("Retired")


class DeviceEventKind(models.TextChoices):
    """What happened to a device; each but a fault report changes its status."""

    FAULT = "fault", _("Fault reported")
    REPAIR_STARTED = "repair_started", _("Repair started")
    REPAIR_ENDED = "repair_ended", _("Repair ended")
    RETIRED = "retired", _("Retired")


# str keys: a DeviceEventKind is one, and snapshots look up kinds read from the database
STATUS_AFTER: dict[str, DeviceStatus] = {
    DeviceEventKind.REPAIR_STARTED: DeviceStatus.UNDER_REPAIR,
    DeviceEventKind.REPAIR_ENDED: DeviceStatus.IN_SERVICE,
    DeviceEventKind.RETIRED: DeviceStatus.RETIRED,
}
