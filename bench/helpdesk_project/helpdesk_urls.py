from django.urls import include, path
from helpdesk.views.auth import login

urlpatterns = [
    # the sign-in page at Aduan's address, so bench/common.login_cookie signs in to both
    path("staf/masuk/", login, name="login"),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
