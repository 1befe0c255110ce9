"""The admin shows what the retention job did and the erasure requests, read-only."""

from django.urls import reverse
from django.utils import timezone

from aduan.privacy.models import RetentionRun
from aduan.users.models import User


def test_retention_runs_and_erasure_requests_are_read_only_in_the_admin(client, db):
    admin = User.objects.create_superuser(email="admin@contoh.id", password="rahasia-123")
    RetentionRun.objects.create(started_at=timezone.now(), identities_anonymised=3)
    client.force_login(admin)

    runs = client.get(reverse("admin:privacy_retentionrun_changelist"))
    requests = client.get(reverse("admin:privacy_erasurerequest_changelist"))
    add = client.get(reverse("admin:privacy_retentionrun_add"))

    assert runs.status_code == 200
    assert requests.status_code == 200
    assert add.status_code == 403
    assert RetentionRun.objects.count() == 1


def test_erasure_requests_are_for_superusers_only_even_with_a_view_permission(client, db):
    from django.contrib.auth.models import Permission

    staff = User.objects.create_user(email="operator@contoh.id", password="rahasia-123")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_erasurerequest"))
    client.force_login(staff)

    assert client.get(reverse("admin:privacy_erasurerequest_changelist")).status_code == 403
