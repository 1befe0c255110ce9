"""The complaint page's pieces drawn in Python (aduan/workspace/templatetags/detail_tags.py) give
the bytes the template markup they replace gave, in both languages and the Pemda's time zone:
form fields bound and unbound, clocks open, paused, late and met, hops, the timeline and the
notifications, and the choice labels."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from aduan.complaints.models import ComplaintEvent, Status
from aduan.notifications.models import Notification
from aduan.sla.models import Deadline
from aduan.sla.services import calendar_for
from aduan.workspace.forms import AssignForm, AttachmentForm, NoteForm, RelocateForm, TransitionForm
from aduan.workspace.templatetags.detail_tags import (
    deadline_rows,
    display,
    hop_items,
    notification_rows,
    staff_fields,
    timeline_items,
)
from aduan.workspace.views.staff_common import Countdown
from tests.factories import MembershipFactory, complaint_in_status

# The template markup the tags replace (templates/complaints/staff/detail.html before them).
FIELDS = '{% for f in form %}{% include "complaints/staff/_field.html" %}{% endfor %}'
DEADLINES = """{% load i18n staff_tags %}{% for c in deadlines %}
    <tr class="deadline-{{ c.deadline.stage }}">
      <td>{{ c.deadline.get_stage_display }}</td>
      <td>{{ c.deadline.opd|default:"—" }}</td>
      <td class="when opt">{{ c.deadline.started_at|date:"d-m-Y H:i" }}</td>
      <td class="when">{{ c.due_label }}</td>
      <td>{% countdown c %}</td>
      <td>{% if c.deadline.breached_at %}<strong class="breach">⚠ {% translate "terlampaui" %}{% if c.deadline.opd %} — {{ c.deadline.opd }}{% endif %}</strong>{% else %}—{% endif %}</td>
    </tr>{% empty %}<tr><td colspan="6">—</td></tr>{% endfor %}"""  # noqa: E501
HOPS = """{% load i18n %}{% for hop in hops %}<li>{{ hop.opd }}: {{ hop.started_at|date:"d-m-Y H:i" }} – {{ hop.ended_at|date:"d-m-Y H:i"|default:_("sekarang") }}</li>{% empty %}<li class="muted">{% translate "Belum didisposisikan." %}</li>{% endfor %}"""  # noqa: E501
TIMELINE = """{% for e in events %}
  <li class="event-{{ e.action }}"><time datetime="{{ e.created_at|date:'c' }}">{{ e.created_at|date:"d-m-Y H:i T" }}</time> — <strong>{{ e.action_label }}</strong>
    {% if e.from_status != e.to_status %}({{ e.get_from_status_display|default:"∅" }} → {{ e.get_to_status_display }}){% endif %} · {{ e.get_actor_role_display }}{% if e.actor and e.actor_role != "citizen" %} {{ e.actor }}{% endif %}{% if e.opd %} · {{ e.opd }}{% endif %}
    {% if e.note %}<br><span class="prose">{{ e.note }}</span>{% endif %}</li>{% endfor %}"""  # noqa: E501
NOTIFICATIONS = """{% for n in notifications %}
    <tr><td class="when">{{ n.created_at|date:"d-m-Y H:i" }}</td><td>{{ n.kind }}</td><td>{{ n.get_audience_display }}: {{ n.shown_address }}</td>
        <td class="delivery-{{ n.state }}">{{ n.get_state_display }}{% if n.sent_at %} {{ n.sent_at|date:"d-m-Y H:i" }}{% endif %}{% if n.shown_error %}<br><small>{{ n.shown_error }}</small>{% endif %}</td>
        <td>{{ n.attempts }}</td></tr>{% empty %}<tr><td colspan="5">—</td></tr>{% endfor %}"""  # noqa: E501

ACTIONS = """{% load i18n detail_tags %}{% for action, form in action_forms.items %}
  <details class="action" data-action="{{ action }}"{% if form.is_bound or forloop.first and not bound_any or action == "follow_up" and canned_selected %} open{% endif %}>
    <summary class="button{% if forloop.first %} button-primary{% endif %}">{{ form.label }}</summary>
    {% if action == "follow_up" and canned %}
    <form method="get" action="{{ request.path }}" class="canned-pick" hx-boost="false">
      <label for="canned-select">{% translate "Jawaban siap pakai" %}</label>
      <select name="canned" id="canned-select" hx-get="{{ request.path }}" hx-trigger="change" hx-target="#id_follow_up-note" hx-select="#id_follow_up-note" hx-swap="outerHTML">
        <option value="">—</option>{% for c in canned %}<option value="{{ c.pk }}"{% if canned_selected == c.pk|stringformat:"d" %} selected{% endif %}>{{ c.title }}</option>{% endfor %}
      </select>
      <button type="submit" class="small">{% translate "Pakai" %}</button>
    </form>{% endif %}
    <form method="post" action="{% url 'complaints:staff-transition' complaint.pk action %}" class="stack"{% if form.is_multipart %} enctype="multipart/form-data" hx-boost="false"{% endif %}>{% csrf_token %}
      {% if action == "schedule" %}<p class="hint">{% translate "Tanggal ini menjadi janji OPD kepada pelapor: lewat dari tanggal itu tanpa selesai ditangani dihitung sebagai pelanggaran." %}</p>{% endif %}
      {{ form.non_field_errors }}
      {% if action == "dispatch" %}<p class="hint">{% translate "Saran dari kategori" %}: <strong>{{ suggested_opd|default:"—" }}</strong> · {% translate "Pilihan pelapor" %}: <strong>{{ complaint.target_opd|default:"—" }}</strong></p>{% endif %}
      {% if action == "hold" %}<p class="hint">{% translate "Pertanyaan dikirim kepada pelapor; tenggat berhenti sampai pelapor melengkapi." %}</p>{% endif %}
      {% staff_fields form %}
      <button type="submit" class="button-primary">{{ form.label }}</button>
    </form>
  </details>{% endfor %}"""  # noqa: E501

ZONES = ("Asia/Makassar", "Asia/Jayapura")


def template(markup: str, **context) -> str:
    return Template(markup).render(Context(context))


def each_language_and_zone():
    for language in ("id", "en"):
        for zone in ZONES:
            with translation.override(language), timezone.override(ZoneInfo(zone)):
                yield language, zone


@pytest.fixture
def resolved(world):
    return complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )


def test_form_fields_match_the_field_template(world, resolved):
    data = {"schedule-planned_date": "bukan tanggal"}
    bound_errors = TransitionForm(data, action="schedule", complaint=resolved)
    assert not bound_errors.is_valid()
    forms = [
        TransitionForm(action=action, complaint=resolved)
        for action in ("dispatch", "archive", "hold", "follow_up", "schedule", "forward_out")
    ]
    forms += [
        bound_errors,
        AssignForm(officers=world.petugas, initial={"assignee": world.petugas[1].pk}),
        AssignForm({"assignee": "x"}, officers=world.petugas),
        NoteForm(),
        NoteForm({"body": ""}),
        AttachmentForm(),
        RelocateForm(complaint=resolved, initial={"latitude": -1.25, "longitude": 116.8}),
    ]
    for _language, _zone in each_language_and_zone():
        for form in forms:
            assert staff_fields(form) == template(FIELDS, form=form), form


def test_clocks_match_the_template(world, resolved):
    now = timezone.now()
    cal = calendar_for(world.pemda, around=now)
    real = list(resolved.deadlines.select_related("opd").order_by("started_at", "pk"))
    policy = real[0].policy
    made = [
        Deadline(stage="follow_up", opd=world.opd, policy=policy, started_at=now - timedelta(days=9),
                 due_at=now - timedelta(days=2), breached_at=now - timedelta(days=2)),  # late, open
        Deadline(stage="resolution", opd=None, policy=policy, started_at=now - timedelta(days=20),
                 due_at=now - timedelta(days=1), breached_at=now - timedelta(days=1), met_at=now),
        Deadline(stage="reply_window", opd=world.opd, policy=policy, started_at=now - timedelta(days=1),
                 due_at=now + timedelta(days=9), paused_at=now - timedelta(hours=3)),  # paused
        Deadline(stage="promise", opd=world.opd, policy=policy, started_at=now - timedelta(days=1),
                 due_at=now + timedelta(hours=20)),  # due soon
        Deadline(stage="unknown", opd=world.other_opd, policy=policy, started_at=now,
                 due_at=now + timedelta(days=30)),
    ]  # fmt: skip
    for _language, _zone in each_language_and_zone():
        countdowns = [Countdown(d, now, cal) for d in real + made]
        assert deadline_rows(countdowns) == template(DEADLINES, deadlines=countdowns)
        assert deadline_rows([]) == template(DEADLINES, deadlines=[])
        assert deadline_rows(countdowns).count("⚠") == 2  # late: the open clock and the one met late


def test_hops_match_the_template(world, resolved):
    hops = list(resolved.hops.select_related("opd"))
    hops[0].ended_at = None  # still held
    hops.append(type(hops[0])(opd=world.other_opd, started_at=timezone.now(), ended_at=timezone.now()))
    for _language, _zone in each_language_and_zone():
        assert hop_items(hops) == template(HOPS, hops=hops)
        assert hop_items([]) == template(HOPS, hops=[])


def test_timeline_matches_the_template(world, resolved):
    events = list(resolved.events.select_related("actor", "opd"))
    officer = MembershipFactory(role="petugas_opd", opd=world.opd, user__full_name="").user
    odd = ComplaintEvent(
        action="note_only", from_status="", to_status="", actor=officer, actor_role="petugas_opd",
        opd=world.opd, note="<b>tebal</b> & baris\nbaru", created_at=timezone.now(),
    )  # fmt: skip
    events.append(odd)
    for i, event in enumerate(events):
        event.action_label = f"Langkah {i} <&>"
    assert any(e.actor_role == "citizen" for e in events)
    for _language, _zone in each_language_and_zone():
        assert timeline_items(events) == template(TIMELINE, events=events)
        assert timeline_items([]) == template(TIMELINE, events=[])


def test_notifications_match_the_template(resolved):
    now = timezone.now()
    rows = [
        Notification(kind="status_changed", audience="reporter", address="w@example.id", state="sent",
                     attempts=1, created_at=now, sent_at=now),
        Notification(kind="reminder", audience="staff", address="p@example.id", state="failed",
                     attempts=1234, created_at=now, last_error="550 <p@example.id>: rejected"),
        Notification(kind="x", audience="other", address="", state="weird", attempts=0, created_at=now),
    ]  # fmt: skip
    for n in rows:
        n.shown_address, n.shown_error = n.address or "—", n.last_error
    for _language, _zone in each_language_and_zone():
        assert notification_rows(rows) == template(NOTIFICATIONS, notifications=rows)
        assert notification_rows([]) == template(NOTIFICATIONS, notifications=[])


def test_display_is_get_field_display(resolved):
    event = resolved.events.first()
    for _language, _zone in each_language_and_zone():
        assert display(resolved, "status") == resolved.get_status_display()
        assert display(event, "actor_role") == event.get_actor_role_display()
        resolved.status = "not-a-status"
        assert display(resolved, "status") == resolved.get_status_display() == "not-a-status"
        resolved.status = Status.RESOLVED


def test_the_moves_forms_match_the_template(world, rf):
    from aduan.complaints.models import CannedResponse
    from aduan.workspace.templatetags.detail_tags import action_forms

    complaint = complaint_in_status(Status.SUBMITTED, pemda=world.pemda, koordinator=world.koordinator)
    complaint.target_opd = world.other_opd
    canned = [
        CannedResponse.objects.create(opd=world.opd, title=f"Jawaban <{i}>", body="Terima kasih.")
        for i in range(3)
    ]
    refused = TransitionForm({"hold-note": ""}, action="hold", complaint=complaint)
    refused.is_valid()
    refused.add_error(None, "Tidak boleh <sekarang>.")
    request = rf.get(f"/staf/aduan/{complaint.pk}/", {"canned": canned[1].pk})
    request.resolver_match = None
    cases = [
        ({"dispatch": None, "archive": None, "hold": None, "forward_out": None}, {}, None, ""),
        ({"follow_up": None, "schedule": None, "cannot_handle": None}, {}, world.opd, str(canned[1].pk)),
        ({"follow_up": None, "hold": refused}, {"hold": refused}, world.opd, ""),
        ({"acknowledge": None, "follow_up": None}, {}, None, ""),
    ]
    for actions, bound, suggested, selected in cases:
        forms = {a: f or TransitionForm(action=a, complaint=complaint) for a, f in actions.items()}
        context = {
            "request": request,
            "complaint": complaint,
            "action_forms": forms,
            "bound_any": bool(bound),
            "canned": canned if "follow_up" in forms else [],
            "canned_selected": selected,
            "suggested_opd": suggested,
            "csrf_token": "token<&>",
        }
        for _language, _zone in each_language_and_zone():
            assert action_forms(Context(context)) == template(ACTIONS, **context), actions
        if bound:  # the refused move's error, escaped, in its form (open)
            html = action_forms(Context(context))
            assert "Tidak boleh &lt;sekarang&gt;." in html
            assert '<details class="action" data-action="hold" open>' in html
