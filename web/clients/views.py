"""The client list with search, and the card."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from engine.clients import search as client_search
from models.clients.client import Client
from web.clients import READERS, bp
from web.clients.card_context import card_context, sees_identifiers
from web.extensions import db
from web.inputs import page_number
from web.security import requires

MAX_HOPS = 10


def live_client(client_id: int) -> Client:
    """The card, or 404; a merged card is answered by the caller with a redirect."""
    return db.session.get(Client, client_id) or abort(404)


def kept_card(client: Client):
    """Where a merged card's links lead: the card it was merged into."""
    for _ in range(MAX_HOPS):
        if not client.is_merged:
            break
        client = db.session.get(Client, client.merged_into_id)
    flash("Карточка была объединена с этой", "info")
    return redirect(url_for("clients.card", client_id=client.id))


@bp.route("/clients")
@requires(READERS)
def index():
    q = (request.args.get("q") or "").strip()[:100]
    page = page_number()
    result = client_search.search(db.session, q, page=page, identifiers=sees_identifiers())
    return render_template("clients/index.html", result=result, q=q)


@bp.route("/clients/<int:client_id>")
@requires(READERS)
def card(client_id: int):
    found = live_client(client_id)
    if found.is_merged:
        return kept_card(found)
    return render_template("clients/card.html", **card_context(found))
