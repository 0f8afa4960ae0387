"""Texts of notifications per event: list, edit with a preview and the placeholder list, reset."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField

from engine.notifications import templates as message_templates
from engine.notifications.catalog import AUDIENCE_LABELS, CHANNEL_LABELS, EVENTS, sample_context
from engine.notifications.templates import Text
from models.users.user import Role
from web import edge
from web.extensions import db
from web.fields import MultilineTextField
from web.forms import Form
from web.notifications import bp
from web.security import requires


class TemplateForm(Form):
    subject = StringField("Тема письма")
    body = MultilineTextField("Текст", render_kw={"rows": 10})


@bp.route("/templates")
@requires(Role.admin)
def templates():
    events = [
        (event, spec, message_templates.texts_of(db.session, event))
        for event, spec in EVENTS.items()
    ]
    return render_template(
        "notifications/templates.html",
        events=events,
        audience_labels=AUDIENCE_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


@bp.route("/templates/edit", methods=["GET", "POST"])
@requires(Role.admin)
def template_edit():
    key = _key()
    text = message_templates.text_for(db.session, *key)
    form = TemplateForm(data={"subject": text.subject, "body": text.body})
    if request.method == "GET":
        return _page(text, form, preview=_preview(text, form))
    if not form.validate_on_submit():
        abort(400)
    found = message_templates.problems(key[0], key[2], form.subject.data, form.body.data)
    for field, message in found.items():
        form[field].errors = [message]
    if found:
        return _page(text, form, preview=None), 422
    if request.form.get("action") != "save":
        return _page(text, form, preview=_preview(text, form))
    if _unchanged(text, form):  # saved as shown: no copy of the default, no new date
        flash(f"«{EVENTS[key[0]].label}»: текст не изменился", "info")
        return redirect(url_for("notifications.templates"))
    return _save(key, form)


def _unchanged(text: Text, form: TemplateForm) -> bool:
    subject = (form.subject.data or "") if text.has_subject else ""
    return (subject, form.body.data or "") == (text.subject, text.body)


def _save(key, form: TemplateForm):
    with edge.unit_of_work(report=False) as work:  # checked above; kept for a race
        message_templates.save(
            db.session, key, subject=form.subject.data, body=form.body.data, user_id=current_user.id
        )
    if work.failed:
        form[work.error.field or "body"].errors = [work.error.message]
        return _page(message_templates.text_for(db.session, *key), form, preview=None), 422
    flash(f"Текст «{EVENTS[key[0]].label}» сохранён", "success")
    return redirect(url_for("notifications.templates"))


@bp.route("/templates/reset", methods=["POST"])
@requires(Role.admin)
def template_reset():
    key = _key()
    if message_templates.reset(db.session, key):
        flash(f"Для «{EVENTS[key[0]].label}» снова действует текст по умолчанию", "success")
    return redirect(url_for("notifications.templates"))


def _key() -> tuple[str, str, str]:
    source = request.values
    key = (source.get("event", ""), source.get("audience", ""), source.get("channel", ""))
    if key not in message_templates.all_keys():
        abort(404)
    return key


def _preview(text: Text, form: TemplateForm) -> dict | None:
    subject, body = form.subject.data or "", form.body.data or ""
    if message_templates.problems(text.event, text.channel, subject, body):
        return None
    context = sample_context(text.event)
    return {
        "subject": message_templates.render(subject, context) if text.has_subject else "",
        "body": message_templates.render(body, context),
    }


def _page(text: Text, form: TemplateForm, *, preview: dict | None):
    return render_template(
        "notifications/template_edit.html",
        text=text,
        spec=EVENTS[text.event],
        form=form,
        preview=preview,
        default=message_templates.default_text(text.event, text.audience, text.channel),
        audience_labels=AUDIENCE_LABELS,
        channel_labels=CHANNEL_LABELS,
    )
