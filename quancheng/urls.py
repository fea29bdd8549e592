from django.contrib import admin
from django.urls import include, path

from quancheng.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("quancheng.uploads.urls")),  # tus; before the API's catch-all
    path("api/v1/", include("quancheng.ledger.witnesses.urls")),  # C2SP tlog-witness
    path("api/v1/", api.urls),
    path("", include("quancheng.web.urls")),
]
