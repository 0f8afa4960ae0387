"""Events of clients: a promotional offer, sent only to clients who agreed to advertising.
(It moves to the marketing area when that area arrives.)"""

from __future__ import annotations

from engine.notifications.catalog import CLIENT_NAME, SIGNATURE, event, placeholder

PROMOTION_OFFER = event(
    "promotion_offer",
    "Рекламное предложение",
    {
        "client_name": CLIENT_NAME,
        "offer_title": placeholder("Заголовок предложения", "Скидка 5 % на кладовые"),
        "offer_text": placeholder(
            "Текст предложения", "До конца месяца кладовые — со скидкой 5 %."
        ),
    },
    client_email=(
        "{offer_title}",
        "Здравствуйте, {client_name}!\n\n{offer_text}\n\n"
        "Вы получили это письмо, потому что согласились получать наши предложения. "
        "Чтобы отказаться, ответьте на него словом «Отписаться»." + SIGNATURE,
    ),
    client_sms="{offer_title}. {offer_text} Отказаться: ответьте «СТОП».",
    marketing=True,
    notes="Рекламная рассылка: только клиентам с согласием на рекламу.",
)
