"""Root URL configuration."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from aduan.users.lockout import admin_login

urlpatterns = [
    path("admin/login/", admin_login, name="admin-login"),  # the staff sign-in lockout
    path("admin/", admin.site.urls),
    path("staf/dua-langkah/", include("aduan.users.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("aduan.api.urls")),
    path("open311/", include("aduan.api.open311.urls")),
    path("kepatuhan/", include("aduan.compliance.urls")),
    path("", include("aduan.privacy.urls")),
    path("", include("aduan.complaints.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
