"""Linking a Telegram user to a customer record (ARCHITECTURE.md §2).

Two ways in: the phone number Telegram's contact button shares (accepted only when the
contact is the sender's own), or an e-mail address plus one of that customer's order
numbers. A wrong pair gets the same answer as an unknown one, so nobody can find out
which e-mails or orders exist, and after MAX_FAILURES failed attempts within
FAILURE_WINDOW linking pauses for that Telegram user.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.accounts import get_account, linked_customer
from shop.i18n import ENGLISH, N_, Translator
from shop.models import Customer, LinkAttempt, Order, Role, TelegramAccount
from shop.orders import normalise_order_number
from shop.phones import normalise_contact
from shop.replies import Reply, payload

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)
SHARE_BUTTON = N_("Share my phone number")

WELCOME = N_(
    "Hi! I'm the shop's assistant. I can tell you where your orders are, how far their "
    "delivery has come, and take your rating.\n"
    "First I need to know which customer you are: tap \"Share my phone number\" below "
    "(it shares only the number of your Telegram account). Or send /link with your e-mail "
    "and one of your order numbers, e.g. /link you@example.com 1042."
)
LINKED = N_(
    "Thanks, {name}! Your Telegram is now linked to your customer account. "
    "Ask me \"where is my order?\" or \"show my orders\"."
)
PHONE_UNKNOWN = N_(
    "Sorry, I can't find a customer account with this phone number. If you ordered with "
    "another number, send /link with your e-mail and one of your order numbers, "
    "e.g. /link you@example.com 1042."
)
DETAILS_UNKNOWN = N_(
    "Sorry, I couldn't link an account with those details. Please check the e-mail "
    "address and the order number (both are in your order confirmation)."
)
FORGED = N_(
    "That contact isn't you, so I can't use it. Please tap \"Share my phone number\" to "
    "share the number of your own Telegram account."
)
LINK_USAGE = N_(
    "To link your account, send /link with your e-mail and one of your order numbers, "
    "e.g. /link you@example.com 1042. Or tap \"Share my phone number\" to share your phone number."
)
UNLINKED = N_("Done: your Telegram is no longer linked to a customer account. Send /start to link it again.")
NOT_LINKED_YET = N_("Your Telegram isn't linked to a customer account. Send /start to link it.")

_LINK_COMMAND = re.compile(
    r"^\s*/?link(?:@\w+)?\s+(?P<email>[^\s@]+@[^\s@]+\.[^\s@]+)\s+(?:(?:order|no\.?|nr\.?)\s*)?#?(?P<number>\d{3,12})\s*$",
    re.IGNORECASE,
)
LINK_TEXT_PATTERN = r"(?i)^\s*/?link(@\w+)?(\s|$)"  # what the bot's /link text handler listens to


class LinkStatus(enum.StrEnum):
    linked = "linked"
    no_match = "no_match"
    forged = "forged"
    throttled = "throttled"


@dataclass(frozen=True)
class LinkResult:
    status: LinkStatus
    text: str
    customer_name: str | None = None

    @property
    def linked(self) -> bool:
        return self.status is LinkStatus.linked


def parse_link_command(text: str) -> tuple[str, str] | None:
    """'link dana@example.com 1042' or '/link dana@example.com #1042' → (e-mail, number)."""
    match = _LINK_COMMAND.match(text or "")
    if match is None:
        return None
    return match.group("email").lower(), match.group("number")


def paused_until(session: Session, *, telegram_user_id: int, now: datetime) -> datetime | None:
    """When linking resumes for this user, or None if they may try now."""
    since = now - FAILURE_WINDOW
    times = session.scalars(
        select(LinkAttempt.created_at)
        .where(LinkAttempt.telegram_user_id == telegram_user_id, LinkAttempt.created_at > since)
        .order_by(LinkAttempt.created_at.desc())
        .limit(MAX_FAILURES)
    ).all()
    if len(times) < MAX_FAILURES:
        return None
    return min(times) + FAILURE_WINDOW  # the fifth-newest failure leaves the window then


def link_by_phone(
    session: Session, *, telegram_user_id: int, contact_user_id: int | None, phone: str,
    now: datetime, tr: Translator = ENGLISH,
) -> LinkResult:
    """Link by a shared contact; refused unless the contact is the sender's own."""
    if (throttled := _throttled(session, telegram_user_id, now, tr)) is not None:
        return throttled
    if contact_user_id != telegram_user_id:
        _fail(session, telegram_user_id, now)
        return LinkResult(LinkStatus.forged, tr._(FORGED))
    number = normalise_contact(phone)
    customers = [] if number is None else session.scalars(
        select(Customer).where(Customer.phone == number, Customer.erased_at.is_(None)).limit(2)
    ).all()
    if len(customers) != 1:  # unknown, or shared by several customers: ask for e-mail + order
        _fail(session, telegram_user_id, now)
        return LinkResult(LinkStatus.no_match, tr._(PHONE_UNKNOWN))
    return _link(session, telegram_user_id, customers[0], tr)


def link_by_email(
    session: Session, *, telegram_user_id: int, email: str, order_number: str, now: datetime,
    tr: Translator = ENGLISH,
) -> LinkResult:
    """Link by e-mail plus one of that customer's order numbers; both must match."""
    if (throttled := _throttled(session, telegram_user_id, now, tr)) is not None:
        return throttled
    number = normalise_order_number(order_number)
    customer = None if number is None else session.scalar(
        select(Customer)
        .join(Order, Order.customer_id == Customer.id)
        .where(func.lower(Customer.email) == email.strip().lower(), Order.number == number,
               Customer.erased_at.is_(None))
    )
    if customer is None:
        _fail(session, telegram_user_id, now)
        return LinkResult(LinkStatus.no_match, tr._(DETAILS_UNKNOWN))
    return _link(session, telegram_user_id, customer, tr)


def unlink(session: Session, *, telegram_user_id: int) -> bool:
    """Forget which customer this Telegram user is; False if they were not linked."""
    account = get_account(session, telegram_user_id)
    if account is None or account.customer_id is None:
        return False
    account.customer_id = None
    session.flush()
    return True


def unlink_reply(session: Session, *, telegram_user_id: int, tr: Translator = ENGLISH) -> str:
    return tr._(UNLINKED if unlink(session, telegram_user_id=telegram_user_id) else NOT_LINKED_YET)


def welcome(tr: Translator = ENGLISH) -> Reply:
    """The greeting of a user not linked yet, with the contact button."""
    return Reply(custom=payload("contact_request", text=tr._(WELCOME), button=tr._(SHARE_BUTTON)))


def greeting(session: Session, *, telegram_user_id: int, tr: Translator = ENGLISH) -> Reply:
    """Hello by identity: customers by name, staff and owners with their own hint, and
    everyone else with the way to link their account (the contact button)."""
    account = get_account(session, telegram_user_id)
    first = _first_name(account, tr)
    if account is not None and account.role == Role.owner.value:
        return Reply(tr._("Hi {name}! You're the owner. Ask me for numbers, e.g. \"CSAT this month?\", "
                          "\"revenue last month\" or \"weekly report\". Escalated chats come to you here.",
                          name=first))
    if account is not None and account.role == Role.staff.value:
        return Reply(tr._("Hi {name}! You're on the support team: customers who need a person are "
                          "handed to you here. Reply to a ticket message to answer the customer.",
                          name=first))
    customer = linked_customer(session, telegram_user_id)
    if customer is not None:
        name = customer.name.split()[0] if customer.name else first
        return Reply(tr._("Hi {name}! How can I help? You can ask \"where is my order?\", "
                          "\"when will my parcel arrive?\", \"show my orders\", or rate us.", name=name))
    return welcome(tr)


def _first_name(account: TelegramAccount | None, tr: Translator = ENGLISH) -> str:
    if account is None or not account.display_name:
        return tr._("there")
    return account.display_name.split()[0]


def _throttled(session: Session, telegram_user_id: int, now: datetime,
               tr: Translator = ENGLISH) -> LinkResult | None:
    until = paused_until(session, telegram_user_id=telegram_user_id, now=now)
    if until is None:
        return None
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return LinkResult(LinkStatus.throttled, tr.n_(
        "Too many attempts to link an account. For your security, linking is paused for about "
        "{count} minute; please try again later, or say \"talk to a person\".",
        "Too many attempts to link an account. For your security, linking is paused for about "
        "{count} minutes; please try again later, or say \"talk to a person\".", minutes))


def _fail(session: Session, telegram_user_id: int, now: datetime) -> None:
    session.add(LinkAttempt(telegram_user_id=telegram_user_id, created_at=now))
    session.flush()


def _link(session: Session, telegram_user_id: int, customer: Customer,
          tr: Translator = ENGLISH) -> LinkResult:
    account = get_account(session, telegram_user_id)
    if account is None:
        account = TelegramAccount(telegram_user_id=telegram_user_id, role=Role.customer.value)
        session.add(account)
    account.customer_id = customer.id
    session.flush()
    first = customer.name.split()[0] if customer.name else tr._("there")
    return LinkResult(LinkStatus.linked, tr._(LINKED, name=first), customer_name=customer.name)
