"""The customer/order store (ARCHITECTURE.md §4) as SQLAlchemy 2 typed models.

Money is Numeric with a currency; every timestamp is timezone-aware UTC (stored as UTC
on SQLite, which has no time zones, and as timestamptz on PostgreSQL).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Money = Numeric(12, 2)


class Base(DeclarativeBase):
    __table__: ClassVar[Table]  # every model maps one Table (SQLAlchemy types it as a FromClause)


class Role(enum.StrEnum):
    customer = "customer"
    staff = "staff"
    owner = "owner"


class OrderKind(enum.StrEnum):
    goods = "goods"
    service = "service"


class OrderStatus(enum.StrEnum):
    placed = "placed"
    packed = "packed"
    shipped = "shipped"
    out_for_delivery = "out_for_delivery"
    in_progress = "in_progress"
    delivered = "delivered"
    cancelled = "cancelled"


GOODS_STAGES = ("placed", "packed", "shipped", "out_for_delivery", "delivered")


class TicketStatus(enum.StrEnum):
    waiting = "waiting"
    human = "human"
    resolved = "resolved"
    cancelled = "cancelled"  # by the customer, before anyone claimed it ("Back to the assistant")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    acquisition_cost: Mapped[Decimal | None] = mapped_column(Money)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class TelegramAccount(Base):
    __tablename__ = "telegram_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(16), default=Role.customer.value)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))  # Telegram's language_code, as sent
    # The language the assistant answers in, and why (shop/language.py LanguageSource).
    reply_language: Mapped[str | None] = mapped_column(String(16))
    language_source: Mapped[str | None] = mapped_column(String(16))
    started: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    customer: Mapped[Customer | None] = relationship()


class LinkAttempt(Base):
    """A failed attempt to link a Telegram user to a customer, for throttling."""

    __tablename__ = "link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[str] = mapped_column(String(16), default=OrderKind.goods.value)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total >= 0", name="ck_orders_total_nonneg"),
        # Covering indexes for the owner metrics (ARCHITECTURE.md §6): every column a sales
        # metric reads, so a window is an index-only range scan (time first) and a
        # per-customer aggregate an index-only scan in customer order (customer first).
        Index("ix_orders_created_sales", "created_at", "status", "customer_id", "currency",
              "total"),
        Index("ix_orders_customer_sales", "customer_id", "created_at", "status", "currency",
              "total"),
        Index("ix_orders_delivered", "delivered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(16), default=OrderKind.goods.value)
    status: Mapped[str] = mapped_column(String(24), default=OrderStatus.placed.value)
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipping_address: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan"
    )
    stages: Mapped[list[DeliveryStage]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="DeliveryStage.position"
    )


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        # By order, with the product: baskets for bought_together come from the index alone.
        Index("ix_order_items_order_product", "order_id", "product_id"),
        CheckConstraint("quantity > 0", name="ck_order_items_quantity_pos"),
        CheckConstraint("unit_price >= 0", name="ck_order_items_price_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Money)

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class DeliveryStage(Base):
    """One step of an order's delivery timeline: a shipment stage or a project milestone."""

    __tablename__ = "delivery_stages"
    __table_args__ = (UniqueConstraint("order_id", "position", name="uq_stage_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship(back_populates="stages")


class Ticket(Base):
    """A conversation handed to people: waiting → human → resolved (ARCHITECTURE.md §3)."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.waiting.value)
    reason: Mapped[str] = mapped_column(String(64))
    details: Mapped[str | None] = mapped_column(Text)
    assignee_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Survey(Base):
    """A rating request sent to a customer, so response rate = ratings ÷ surveys sent."""

    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_sent", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="ck_feedback_rating_range"),
        Index("ix_feedback_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="survey")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Message(Base):
    """The conversation log, for handoff context and support metrics."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_user_created", "telegram_user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out | staff | note
    text: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- Human handoff (shop/tickets.py, bot/handoff) ------------------------------------------


class TicketMessage(Base):
    """A Telegram message that belongs to a ticket: a card, a relayed or a copied message.

    Staff answer a ticket by replying to any of its messages, so the (chat, message) pair
    must lead back to the ticket after a restart. `origin_chat_id`/`origin_message_id` is the
    message it was copied from (a customer's message, for threading the staff answer to it;
    a staff answer, so that an edit of it edits the copy). `layout` says how a relayed copy
    was built, so an edit can rebuild it; `thread_id` is the forum topic it was posted in.
    """

    __tablename__ = "ticket_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_ticket_messages_chat_message"),
                      Index("ix_ticket_messages_origin", "origin_chat_id", "origin_message_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # card | relay | staff | history
    origin_message_id: Mapped[int | None] = mapped_column(BigInteger)
    origin_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    layout: Mapped[str | None] = mapped_column(String(16))  # headed | captioned | header | copy
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StaffTopic(Base):
    """A customer's forum topic in the staff group (a supergroup with topics): their tickets
    live in it one after another, so the topic's thread id leads to the current ticket."""

    __tablename__ = "staff_topics"
    __table_args__ = (
        UniqueConstraint("chat_id", "telegram_user_id", name="uq_staff_topics_chat_customer"),
        UniqueConstraint("chat_id", "thread_id", name="uq_staff_topics_chat_thread"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int] = mapped_column(BigInteger)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)  # the customer
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StaffChat(Base):
    """The staff group as the team set it up in Telegram: the language its cards and notices
    are written in, chosen with /language there (STAFF_LANGUAGE until then)."""

    __tablename__ = "staff_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(16))
    updated_by: Mapped[int | None] = mapped_column(BigInteger)  # the staff member who chose it
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TicketEvent(Base):
    """What happened to a ticket and who did it: alerts, claims, transfers, escalations.

    The audit trail of a handoff, and what the timers read (the owner is alerted once).
    """

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_kind", "ticket_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    target_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TelegramUsername(Base):
    """The @username Telegram last showed for a user, so staff can name each other (/transfer)."""

    __tablename__ = "telegram_usernames"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- Delivery guarantees (bot/polling.py) -------------------------------------------------


class HandledUpdate(Base):
    """A Telegram update the bot has handled, so that one delivered again after a restart is
    skipped. Keyed by a digest of the update as received: Telegram re-delivers the same object,
    while update ids alone may repeat (after a week without updates, or on a test server)."""

    __tablename__ = "handled_updates"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


# --- The shop's own answers (shop/faq, ARCHITECTURE.md §11) ---------------------------------


class FaqEntry(Base):
    """One of the shop's answers: a question with other wordings of it, and the answer.

    `variants` holds the other wordings, one per line; `tags` is a comma-separated list.
    The question is the entry's key in CSV files (unique per language).
    """

    __tablename__ = "faq_entries"
    __table_args__ = (UniqueConstraint("language", "question", name="uq_faq_entries_language_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    variants: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16), default="en")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnansweredQuestion(Base):
    """A question customers asked that no FAQ entry answered, grouped with others that say the
    same thing (`normalised`), for the owner's weekly list."""

    __tablename__ = "faq_unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)  # the first wording the group saw
    normalised: Mapped[str] = mapped_column(String(300), index=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)  # who asked last
    answered_by_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("faq_entries.id", ondelete="SET NULL"), index=True
    )


class BotTurn(Base):
    """One customer message the bot answered through an action: its intent, and for FAQ
    answers the entry, the retrieval score and whether the customer found it helpful.

    The support metrics (bot_resolution_rate, handoff_rate, top_contact_reasons,
    faq_helpfulness) read it; it holds no text, only what the bot understood.

    Which turn carries what in an offer: the question's turn has `unanswered_id` (its asking
    counts on the owner's unanswered list) and the entries it offered (FaqOffer); a tap on an
    offer is a turn of its own with the entry's `faq_entry_id` (an FAQ answer given), and
    "That helps" under that answer sets that tap turn's `helpful`. Since then it also clears the
    question turn's `unanswered_id` (shop/faq/unanswered.py `withdraw`): the asking leaves the
    owner's list. No support metric reads `unanswered_id`, and the question's turn stays a turn
    of its conversation, so none of them changes: faq_helpfulness still counts the tap turn once,
    as an answer given and found helpful.
    """

    __tablename__ = "bot_turns"
    __table_args__ = (
        Index("ix_bot_turns_created", "created_at"),
        Index("ix_bot_turns_user_created", "telegram_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    action: Mapped[str] = mapped_column(String(64))
    faq_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("faq_entries.id", ondelete="SET NULL"), index=True
    )
    faq_score: Mapped[float | None] = mapped_column(Float)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    unanswered_id: Mapped[int | None] = mapped_column(
        ForeignKey("faq_unanswered.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FaqOffer(Base):
    """An FAQ entry offered as a button under a customer's question ("Is it one of these?"),
    by the ask_faq action that collected the question or by the fallback (which collects
    nothing): `turn_id` is the turn that offered it, `picked_turn_id` the latest turn whose tap
    on it showed the entry's answer. "That helps" under that answer finds here the question it
    answered (shop/faq/offers.py)."""

    __tablename__ = "faq_offers"

    turn_id: Mapped[int] = mapped_column(ForeignKey("bot_turns.id", ondelete="CASCADE"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("faq_entries.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    picked_turn_id: Mapped[int | None] = mapped_column(
        ForeignKey("bot_turns.id", ondelete="SET NULL"), index=True
    )


# --- Canned replies (shop/canned.py, issue 16) -----------------------------------------------


class CannedReply(Base):
    """A saved staff answer, sent with /c NAME; placeholders are filled from the ticket.

    Names are stored lower-case (the check keeps them so), which makes the unique name
    case-insensitive on every backend.
    """

    __tablename__ = "canned_replies"
    __table_args__ = (CheckConstraint("name = lower(name)", name="ck_canned_replies_name_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)  # the staff member's Telegram id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
