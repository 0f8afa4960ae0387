"""Clients at scale: 100,000 cards and 1,000,000 timeline events.

Measures (median of 20 after warm-ups):
- search by a phone fragment and by a surname (target ≤ 50 ms each): the client search of
  issue "Clients" (engine/client_search.py, what /clients?q= runs); the whole /clients?q= page
  is printed too;
- the card of a client whose timeline holds 2,000 entries (target ≤ 150 ms server time through
  the Flask test client), and the timeline alone (the /crm page and the merge in Python).

Runs on SQLite in a temp dir, and on PostgreSQL in a database `bench_clients` created next to
BENCH_POSTGRES_URL / TEST_DATABASE_URL (default postgres@127.0.0.1/test) and dropped after;
no other database is touched. BENCH_CLIENTS_SCALE=0.1 loads a tenth, for a quick look.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from tests.benchmarks import clients_support as data
from tests.benchmarks.support import migrated_app, postgres_database
from web.extensions import db

WARM_UPS = 3
RUNS = 20
SEARCH_TARGET_MS = 50.0
CARD_TARGET_MS = 150.0
SURNAME = "Лебедева"


def main() -> None:
    scale = float(os.environ.get("BENCH_CLIENTS_SCALE", "1"))
    data.CLIENTS = int(data.CLIENTS * scale)
    data.EVENTS = int(data.EVENTS * scale)
    with tempfile.TemporaryDirectory(prefix="bench-clients-") as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}", Path(folder))
        with postgres_database("bench_clients") as url:
            if url:
                measure("PostgreSQL", url, Path(folder))


def measure(label: str, url: str, folder: Path) -> None:
    app = migrated_app(url, folder / "uploads")
    with app.app_context():
        started = time.perf_counter()
        ids = data.generate(random.Random(2026))
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        loaded = time.perf_counter() - started
        db.session.remove()
        print(f"{label}: {data.CLIENTS:,} clients, {data.EVENTS:,} events loaded in {loaded:.0f} s")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(ids["user_id"])
            session["_fresh"] = True
        _searches(client, ids)
        _card(client, ids)
        db.session.remove()
        db.engine.dispose()


def _searches(client, ids: dict) -> None:
    phone = ids["phone"]  # +79XXXXXXXXX; a manager types a piece of it as written on paper
    fragment = f"{phone[-7:-4]}-{phone[-4:-2]}-{phone[-2:]}"
    short = phone[-4:]
    try:
        from engine.clients import search as client_search
    except ImportError:
        client_search = None
    if client_search is None:
        print("  engine/client_search.py is not there: measuring the SQL one would expect")
        _expected_sql(fragment, short)
        return
    for what, query in (
        (f"phone fragment «{fragment}»", fragment),
        (f"phone fragment «{short}» (4 digits)", short),
        (f"surname «{SURNAME}»", SURNAME),
    ):
        found = client_search.search(db.session, query)
        ms = _median_ms(lambda q=query: (client_search.search(db.session, q), db.session.remove()))
        page_ms = _median_ms(lambda q=query: _get(client, "/clients", query_string={"q": q}))
        shown = f"{len(found.clients)}{'+' if found.has_next else ''} shown"
        _report(f"search by {what}: {shown}", ms, SEARCH_TARGET_MS)
        print(f"    the whole /clients?q= page: {page_ms:.1f} ms")


def _get(client, url: str, **options):
    """One request in an app context of its own, as on a server: the benchmark's own context
    (and its session, which it removes between measurements) is not the request's."""
    with client.application.app_context():
        return client.get(url, **options)


def _expected_sql(fragment: str, short: str) -> None:
    digits = fragment.replace("-", "")
    queries = {
        f"phone LIKE '%{digits}%'": (
            "SELECT client_id FROM client_phone WHERE phone LIKE :p LIMIT 50",
            {"p": f"%{digits}%"},
        ),
        f"full_name ILIKE '%{SURNAME}%'": (
            "SELECT id FROM client WHERE lower(full_name) LIKE lower(:p) LIMIT 50",
            {"p": f"%{SURNAME}%"},
        ),
    }
    for what, (sql, params) in queries.items():
        ms = _median_ms(lambda s=sql, p=params: db.session.execute(text(s), p).all())
        _report(f"search {what}", ms, SEARCH_TARGET_MS)


def _card(client, ids: dict) -> None:
    from models.db.base import utcnow
    from web.crm import timeline

    target = ids["target"]
    card_url = f"/clients/{target}"
    for _ in range(WARM_UPS):
        page = _get(client, card_url)
        assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    if 'data-testid="timeline"' in html:
        shown = html.count('data-source="')
        card_ms = _median_ms(lambda: _get(client, card_url))
        _report(f"GET {card_url} (card, {shown} timeline entries shown)", card_ms, CARD_TARGET_MS)
    else:
        print(f"  GET {card_url}: the card does not include clients/_timeline.html yet")
    page_url = f"/crm/clients/{target}/timeline"
    assert _get(client, page_url).status_code == 200
    _report(f"GET {page_url}", _median_ms(lambda: _get(client, page_url)), CARD_TARGET_MS)
    built = timeline.build(db.session, target, [], 200, now=utcnow())
    total = _timeline_size(target)
    build_ms = _median_ms(
        lambda: (timeline.build(db.session, target, [], 200, now=utcnow()), db.session.remove())
    )
    print(
        f"    timeline of {total:,} entries: newest {len(built.entries)} read and merged in "
        f"{build_ms:.1f} ms (the rest of the page is the template)"
    )


def _timeline_size(client_id: int) -> int:
    counts = [
        "SELECT count(*) FROM interaction WHERE client_id = :c",
        "SELECT count(*) FROM crm_task WHERE client_id = :c",
        "SELECT count(*) FROM reservation_event e JOIN reservation r ON r.id = e.reservation_id"
        " WHERE r.client_id = :c",
        "SELECT count(*) FROM process_event e JOIN process_business_key k"
        " ON k.instance_id = e.instance_id AND k.name = 'client_id' AND k.value = :v",
        "SELECT count(*) FROM outbound_message WHERE client_id = :c",
    ]
    params = {"c": client_id, "v": str(client_id)}
    return sum(db.session.execute(text(sql), params).scalar() for sql in counts)


def _report(what: str, ms: float, target: float) -> None:
    verdict = "met" if ms <= target else "NOT met"
    print(f"  {what}: {ms:.1f} ms (median of {RUNS}; target ≤ {target:.0f} ms: {verdict})")


def _median_ms(action) -> float:
    for _ in range(WARM_UPS):
        action()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
