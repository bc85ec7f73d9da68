"""Recognising personal data that has no place in free text meant for case numbers: card numbers, email addresses and
phone numbers. Deliberately simple: a ticket number like "CASE-2026-0042" passes; "4111 1111 1111 1111" does not."""

import re

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DIGIT_RUN = re.compile(r"[+(]?\d[\d\s().-]*\d")
SEPARATORS_OF_A_PHONE = re.compile(r"[\s().]")


def luhn_valid(digits: str) -> bool:
    """The checksum of payment card numbers (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def personal_data_kind(text: str) -> str | None:
    """ "card", "email" or "phone" if `text` holds what looks like one, else None."""
    if EMAIL.search(text):
        return "email"
    has_letters = any(char.isalpha() for char in text)
    for match in DIGIT_RUN.finditer(text):
        run = match.group()
        digits = re.sub(r"\D", "", run)
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return "card"
        if 9 <= len(digits) <= 15 and (
            run[0] in "+(" or SEPARATORS_OF_A_PHONE.search(run) or (not has_letters and len(digits) >= 10)
        ):
            return "phone"
    return None
