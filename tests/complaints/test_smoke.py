from aduan.complaints.models import Status
from tests.factories import complaint_in_status


def test_every_status_is_reachable(db):
    for status in Status:
        assert complaint_in_status(status).status == status
