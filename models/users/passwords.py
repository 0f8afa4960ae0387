"""The rule for a new password, and a login's password check that costs the same for any email.

The rule applies where a person sets a password (the employee form, `flask users create`):
at least 10 characters, not one of the passwords guessed first (our own short list, checked
also as typed on the other keyboard layout: «йцукенгшщз» is «qwertyuiop»), not a common word
with a few digits or signs around it, and not the employee's own e-mail or name.
"""

from __future__ import annotations

import functools
import re
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from models.db.errors import DomainError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128


class WeakPassword(DomainError):
    def __init__(self, message: str):
        super().__init__(message, field="password")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Passwords of 10+ characters that lists of leaked passwords start with (shorter ones are
# refused by their length already), in lower case, as typed on the Latin layout.
COMMON_PASSWORDS = _words(
    """
    1234567890 0123456789 0987654321 9876543210 1111111111 0000000000 1234512345 1122334455
    1212121212 1231231231 1234554321 12345678910 123456789a 123456789q 1234567890q 123123123a
    1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx3edc 1qazxsw23edc zaq12wsx12 zaq1zaq1zaq1 q1w2e3r4t5
    q1w2e3r4t5y6 qwertyuiop qwertyuiop1 qwertyuiop[] qwerty1234 qwerty12345 qwerty123456
    qweasdzxc123 123qweasdzxc qwe123qwe123 asdfghjkl1 asdfghjkl; zxcvbnm123 zxcvbnm,./
    1234qwerty 12345qwert 1234qwer1234 qwer1234qwer abcdefghij abc1234567 abcd123456
    a123456789 aa12345678 password1 password12 password123 password1234 passw0rd12 p@ssw0rd12
    p@ssword12 mypassword1 letmein123 welcome123 changeme12 iloveyou12 administrator admin12345
    adminadmin superman12 football12 baseball12 princess12 sunshine12 starwars12 dragon1234
    master1234 monkey1234 michael123 liverpool1 chelsea123 spartak123 zenit12345 cska123456
    gfhjkm1234 gfhjkmgfhjkm ghbdtn1234 ntcnntcn12 qwertyqwerty asdasdasd1 qazwsxedc1 qazwsxedcrfv
    """
)

# Words that stay guessable with digits or signs added («Password2024!», «qwerty_12345»).
COMMON_WORDS = _words(
    """
    password passw0rd pass parol admin administrator qwerty qwertyuiop asdfgh zxcvbn letmein
    welcome iloveyou changeme secret test user login master dragon monkey football
    gfhjkm ghbdtn rdfhnbhf ntcn cjkywt
    """
)

# The same key on the Russian (ЙЦУКЕН) and the Latin (QWERTY) layout.
_RUSSIAN = "йцукенгшщзхъфывапролджэячсмитьбю.ё"
_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,./`"
_TO_LATIN_KEYS = str.maketrans(_RUSSIAN, _LATIN)
_AROUND = re.compile(r"^[\d\W_]*(?P<word>.*?)[\d\W_]*$")


def check_new_password(password: str, *, email: str = "", full_name: str = "") -> None:
    """Raise `WeakPassword` (a Russian message) unless `password` may be set for the employee
    with this e-mail and name."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Пароль должен быть не короче {MIN_PASSWORD_LENGTH} символов")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"Пароль должен быть не длиннее {MAX_PASSWORD_LENGTH} символов")
    if _is_common(password):
        raise WeakPassword("Такой пароль подбирают первым. Придумайте другой")
    if _contains_own_name(password, email, full_name):
        raise WeakPassword("Пароль не должен содержать эл. почту или имя сотрудника")


def _is_common(password: str) -> bool:
    typed = password.lower()
    for form in {typed, typed.translate(_TO_LATIN_KEYS)}:
        if form in COMMON_PASSWORDS or len(set(form)) < 4:
            return True
        word = _AROUND.fullmatch(form)["word"]
        if word in COMMON_WORDS or (word and word in COMMON_PASSWORDS):
            return True
    return False


def _contains_own_name(password: str, email: str, full_name: str) -> bool:
    typed = password.lower()
    local = (email or "").lower().partition("@")[0]
    parts = [local, *re.split(r"[\W_]+", local), *re.split(r"[\W_]+", (full_name or "").lower())]
    return any(len(part) >= 4 and part in typed for part in parts)


@functools.cache
def _stand_in_hash() -> str:
    """A hash of a random password, made like every stored one (werkzeug's default scrypt)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def password_matches(user, password: str) -> bool:
    """True when `user` (a `User` or None) may log in with `password`.

    Exactly one hash is checked whatever the email: an unknown or blocked employee's costs as
    long as a known one's, so the answer's time does not tell which emails exist."""
    if user is None:
        check_password_hash(_stand_in_hash(), password)
        return False
    matches = user.check_password(password)
    return matches and user.is_active
