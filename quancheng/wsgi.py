import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from quancheng.web.admission import Admission

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quancheng.settings")
application = Admission(
    get_wsgi_application(),
    slots=settings.QUANCHENG_WEB_SLOTS,
    body_limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0,
)
