"""The shell's pages (sign-in, one's password, the language switch) and every app's pages
mounted under their prefixes. The case pages of four apps share the namespace ``cases``."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from quancheng.casefile import urls as casefile
from quancheng.cases import urls as cases
from quancheng.documents import urls as documents
from quancheng.ledger import urls as ledger
from quancheng.media import urls as media
from quancheng.web import accounts

case_patterns = [*cases.case_urls, *casefile.case_urls, *media.case_urls, *documents.case_urls]

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
    path("devices/", include("quancheng.devices.urls")),
    *casefile.urlpatterns,
    *ledger.urlpatterns,
]
