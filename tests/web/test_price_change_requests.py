"""Issue 14, finding 5 through the request form: small cuts one after another add up against
the premise's reference price, so the second −2.9 % goes to the head of sales."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models.process.human_task import HumanTask, HumanTaskStatus
from models.users.user import Role


@pytest.fixture
def premise(make_building, make_premise):
    return make_premise(make_building(), number="42", price="9256000.00")


def test_a_second_small_cut_from_the_form_waits_for_the_head_of_sales(
    client, login_as, db_session, premise
):
    login_as(Role.sales_manager)
    page = client.get(f"/premises/{premise.id}/price-change").get_data(as_text=True)
    assert "Базовая цена для снижений: 9\u00a0256\u00a0000,00\u00a0₽" in page

    first = client.post(
        f"/premises/{premise.id}/price-change", data={"new_price": "8 987 576", "reason": "торг"}
    )
    assert first.status_code == 302
    db_session.refresh(premise)
    assert premise.price == Decimal("8987576.00")  # −2.9 %: the manager's own call

    second = client.post(
        f"/premises/{premise.id}/price-change", data={"new_price": "8 726 936", "reason": "торг"}
    )
    assert second.status_code == 302
    db_session.expire_all()
    assert premise.price == Decimal("8987576.00")  # −5.7 % from the reference: not alone
    [approval] = db_session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
    ).all()
    assert approval.task_name == "approve_price_change"
    assert "−5,72 % от базовой" in approval.title

    again = client.get(f"/premises/{premise.id}/price-change", follow_redirects=True)
    assert "уже идёт согласование цены" in again.get_data(as_text=True)
