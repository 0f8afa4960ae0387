"""Client search with 100,000 cards: the /clients page for a phone fragment, a phone typed in
another format, a surname, an email fragment and an ИНН (issue «Clients»: ≤ 50 ms median).

Runs on a fresh SQLite database in a temp dir, and also on PostgreSQL when BENCH_POSTGRES_URL
(or TEST_DATABASE_URL) names one; that database's schema `public` is dropped first.
Only prints; nothing here asserts a time.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from sqlalchemy import insert, select, text

from models.clients.client import Client, ClientEmail, ClientPhone, search_key
from models.users.user import Role, User
from tests.benchmarks.support import databases, migrated_app
from web.extensions import db

CLIENTS = 100_000
BATCH = 5_000
WARM_UPS = 2
RUNS = 20
TARGET_MS = 50.0
SURNAMES = ["Смирнов", "Иванов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов"]
SURNAMES += ["Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев"]
NAMES = ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Иван", "Михаил"]
PATRONYMICS = ["Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Иванович"]


def main() -> None:
    with databases("bench-client-search") as (folder, found):
        for label, url in found:
            measure(label, url, folder)


def measure(label: str, url: str, folder: Path) -> None:
    app = migrated_app(url, folder / "uploads")
    with app.app_context():
        started = time.perf_counter()
        user_id, probe = _generate(random.Random(2026))
        print(f"{label}: {CLIENTS:,} clients generated in {time.perf_counter() - started:.0f} s")
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
            with db.engine.connect() as connection:
                indexes = connection.execute(
                    text("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%_trgm'")
                ).scalar()
            print(f"  trigram indexes (pg_trgm): {indexes}")
        db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        queries = {
            "phone fragment": probe["fragment"],
            "phone, other format": probe["typed_phone"],
            "surname": probe["surname"],
            "surname + name": probe["full"],
            "email fragment": probe["email_fragment"],
            "ИНН": probe["inn"],
            "no match": "Несуществующая",
        }
        for name, query in queries.items():
            for _ in range(WARM_UPS):
                response = client.get("/clients", query_string={"q": query})
                assert response.status_code == 200, response.status_code
            found = response.text.count('href="/clients/') - 1  # the "new client" button
            ms = _median_ms(lambda q=query: client.get("/clients", query_string={"q": q}))
            verdict = "met" if ms <= TARGET_MS else "NOT met"
            print(
                f"  GET /clients?q={query!r:28} {name:20} {ms:6.1f} ms  rows {found:3}  {verdict}"
            )
        db.engine.dispose()
    print(f"  target: ≤ {TARGET_MS:.0f} ms median ({RUNS} runs after {WARM_UPS} warm-ups)")


def _median_ms(action) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _generate(rng: random.Random) -> tuple[int, dict[str, str]]:
    """CLIENTS people with one or two phones and an email each; a head of sales to search."""
    user = User(email="bench@bench.local", role=Role.head_of_sales, full_name="Бенчмарк")
    user.set_password("bench")
    db.session.add(user)
    db.session.commit()
    phones_used: set[str] = set()
    for start in range(0, CLIENTS, BATCH):
        people, phones, emails = [], [], []
        for index in range(start + 1, min(start + BATCH, CLIENTS) + 1):
            surname = rng.choice(SURNAMES) + ("а" if index % 2 else "")
            name = f"{surname}-{index} {rng.choice(NAMES)} {rng.choice(PATRONYMICS)}"
            people.append({"id": index, "kind": "person", "full_name": name})
            people[-1] |= {"search_name": search_key(name), "confirmed_fields": []}
            people[-1]["inn"] = f"{index:012d}"
            for _ in range(1 if index % 3 else 2):
                phone = _phone(rng, phones_used)
                phones.append({"client_id": index, "phone": phone})
            emails.append({"client_id": index, "email": f"client{index}@mail.ru"})
        db.session.execute(insert(Client), people)
        db.session.execute(insert(ClientPhone), phones)
        db.session.execute(insert(ClientEmail), emails)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('client_id_seq', :n)"), {"n": CLIENTS})
        db.session.commit()
    target = db.session.scalars(select(ClientPhone).where(ClientPhone.client_id == 4242)).first()
    digits = target.phone[2:]
    probe = {
        "fragment": digits[-4:],
        "typed_phone": f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        "surname": db.session.get(Client, 4242).full_name.split()[0].lower(),
        "full": " ".join(db.session.get(Client, 4242).full_name.split()[:2]),
        "email_fragment": "client4242@",
        "inn": f"{4242:012d}",
    }
    return user.id, probe


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = f"+79{rng.randint(0, 999_999_999):09d}"
        if phone not in used:
            used.add(phone)
            return phone


if __name__ == "__main__":
    main()
