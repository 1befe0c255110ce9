"""Root URL configuration."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from aduan.portal.urls import urlpatterns as portal_urls
from aduan.users.lockout import admin_login
from aduan.workspace.urls import urlpatterns as workspace_urls

urlpatterns = [
    path("admin/login/", admin_login, name="admin-login"),  # the staff sign-in lockout
    path("admin/", admin.site.urls),
    path("staf/dua-langkah/", include("aduan.workspace.twofactor_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("aduan.api.urls")),
    path("open311/", include("aduan.api.open311.urls")),
    path("kepatuhan/", include("aduan.compliance.urls")),
    path("", include("aduan.ops.urls")),  # healthz, readyz, metrics
    path("", include("aduan.privacy.urls")),
    # The citizen portal and the staff workspace share the "complaints" URL namespace.
    path("", include((portal_urls + workspace_urls, "complaints"))),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
