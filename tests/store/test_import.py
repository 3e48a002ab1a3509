"""Importing good files: values land typed and in UTC, and importing again changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from shop import demo
from shop.csvio import Kind, derived_status, import_file
from shop.csvio.deliveries import Stage
from shop.models import Customer, DeliveryStage, Order, OrderItem, Product
from tests.store.conftest import add_customer, add_order, snapshot

CUSTOMERS = (
    "Email,Name,Phone,Created_At,Acquisition_Cost\n"  # header case does not matter
    " Ann@Example.com ,Ann Example,+49 151 1234 5678,2025-01-15,25\n"
    'bob@example.com,"Builder, Bob",,2025-02-01T09:30:00+00:00,\n'
)
ORDERS = (
    "number,customer_email,kind,status,total,currency,created_at,promised_at,delivered_at,"
    "shipping_address\n"
    "5001,ann@example.com,goods,,74.9,eur,2026-07-01 10:00,2026-07-05,,\"Hauptstr. 1\n"
    "10115 Berlin\"\n"
    "5002,bob@example.com,service,,1800,,2026-01-10T08:00:00Z,,,\n"
)


def load(session, options, write, kind, content, name=None):  # type: ignore[no-untyped-def]
    return import_file(session, kind, write(name or f"{kind.value}.csv", content),
                       options=options)


def test_customers_are_normalised_and_times_stored_as_utc(session, options, write):
    result = load(session, options, write, Kind.customers, CUSTOMERS)
    assert (result.rows, result.counts.inserted) == (2, 2)
    ann = session.scalar(select(Customer).where(Customer.email == "ann@example.com"))
    assert ann.phone == "+4915112345678"
    assert ann.created_at == datetime(2025, 1, 14, 23, 0, tzinfo=UTC)  # midnight in Berlin
    assert ann.acquisition_cost == Decimal("25.00")
    bob = session.scalar(select(Customer).where(Customer.email == "bob@example.com"))
    assert (bob.name, bob.phone, bob.acquisition_cost) == ("Builder, Bob", None, None)
    assert bob.created_at == datetime(2025, 2, 1, 9, 30, tzinfo=UTC)


def test_a_quote_before_a_formula_character_is_taken_off(session, options, write):
    load(session, options, write, Kind.customers, (
        "email,name\n"
        "'-ann@example.com,'=1+1\n"  # as exports and spreadsheets write formula-looking text
        "bob@example.com,'Bob\n"  # a quote before anything else is part of the name
        "cy@example.com,''@cy\n"  # one quote comes off, the text had the other
    ))
    names = dict(session.execute(select(Customer.email, Customer.name)).all())
    assert names == {"-ann@example.com": "=1+1", "bob@example.com": "'Bob",
                     "cy@example.com": "'@cy"}


def test_national_numbers_with_a_region(session, options, write):
    load(session, replace(options, phone_region="DE"), write, Kind.customers,
         "email,name,phone\nann@example.com,Ann,(0151) 123-45678\n")
    assert session.scalar(select(Customer.phone)) == "+4915112345678"


def test_orders_with_defaults_and_local_times(session, options, write):
    load(session, options, write, Kind.customers, CUSTOMERS)
    load(session, options, write, Kind.orders, ORDERS)
    parcel = session.scalar(select(Order).where(Order.number == "5001"))
    assert (parcel.status, parcel.total, parcel.currency) == ("placed", Decimal("74.90"), "EUR")
    assert parcel.created_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # CEST is UTC+2
    assert parcel.shipping_address == "Hauptstr. 1\n10115 Berlin"
    assert parcel.customer.email == "ann@example.com"
    project = session.scalar(select(Order).where(Order.number == "5002"))
    assert (project.kind, project.promised_at, project.shipping_address) == ("service", None, None)


def test_importing_the_same_files_again_changes_nothing(session, options, write):
    files = [(Kind.customers, CUSTOMERS), (Kind.orders, ORDERS),
             (Kind.items, "order_number,sku,product_name,quantity,unit_price\n"
                          "5001,LAMP-9,Lamp,1,49.90\n5001,MUG-9,Mug,2,12.50\n"),
             (Kind.deliveries, "order_number,stage,done_at\n5001,placed,2026-07-01 10:00\n"
                               "5001,packed,\n")]
    for kind, content in files:
        load(session, options, write, kind, content)
    before = snapshot(session)
    for kind, content in files:
        result = load(session, options, write, kind, content)
        assert (result.counts.inserted, result.counts.updated) == (0, 0), kind
        assert result.counts.unchanged == result.rows
        assert result.newly_done == []
    assert snapshot(session) == before


def test_a_changed_row_updates_and_absent_columns_are_left_alone(session, options, write):
    ann = add_customer(session, "ann@example.com", name="Ann", phone="+4915112345678")
    order = add_order(session, ann, "5001", kind="service", status="in_progress",
                      total=Decimal("100.00"), currency="USD")
    result = load(session, options, write, Kind.customers,
                  "email,name\nann@example.com,Ann Smith\nnew@example.com,New\n")
    assert (result.counts.inserted, result.counts.updated, result.counts.unchanged) == (1, 1, 0)
    result = load(session, options, write, Kind.orders,
                  "number,customer_email,kind,total,currency,created_at\n"
                  "5001,ann@example.com,,120.00,,2026-11-20T12:00:00Z\n")
    assert result.counts.updated == 1
    session.expire_all()
    assert (ann.name, ann.phone) == ("Ann Smith", "+4915112345678")  # phone column absent
    # blank kind/currency: "leave as it is"; status column absent: untouched
    assert (order.kind, order.currency, order.status, order.total) == (
        "service", "USD", "in_progress", Decimal("120.00"))


def test_items_create_missing_products_from_their_rows(session, options, write):
    ann = add_customer(session)
    add_order(session, ann, "5001", kind="service")
    session.add(Product(sku="MUG-1", name="Mug", price=Decimal("9.00")))
    result = load(session, options, write, Kind.items,
                  "order_number,sku,product_name,unit_price\n"
                  "5001,SITE-1,Website,1500.00\n5001,MUG-1,,8.00\n")
    assert (result.products_created, result.counts.inserted) == (1, 2)
    site = session.scalar(select(Product).where(Product.sku == "SITE-1"))
    assert (site.name, site.price, site.kind) == ("Website", Decimal("1500.00"), "service")
    items = session.scalars(select(OrderItem).order_by(OrderItem.id)).all()
    assert [(i.product.sku, i.quantity, i.unit_price) for i in items] == [
        ("SITE-1", 1, Decimal("1500.00")), ("MUG-1", 1, Decimal("8.00"))]


def test_delivery_events_move_the_order_and_report_newly_done_stages(session, options, write):
    demo.seed_personas(session, now=options.now)
    result = load(session, options, write, Kind.deliveries, (
        "order_number,stage,done_at,carrier,tracking_number\n"
        "1042,shipped,2026-11-19T13:00:00+01:00,DHL,JJD000390007782\n"  # already done
        "1042,out_for_delivery,2026-11-20 09:00,DHL,\n"
        "1044,packed,2026-11-20 08:00,,\n"
    ))
    assert result.newly_done == [("1042", "out_for_delivery"), ("1044", "packed")]
    assert (result.counts.updated, result.counts.unchanged) == (2, 1)
    session.expire_all()
    parcel = session.scalar(select(Order).where(Order.number == "1042"))
    assert (parcel.status, parcel.delivered_at) == ("out_for_delivery", None)
    assert session.scalar(select(Order.status).where(Order.number == "1044")) == "packed"

    later = replace(options, now=options.now + timedelta(hours=4))  # that afternoon
    result = load(session, later, write, Kind.deliveries,
                  "order_number,stage,done_at\n1042,delivered,2026-11-20 16:30\n", "d2.csv")
    assert result.newly_done == [("1042", "delivered")]
    session.expire_all()
    assert (parcel.status, parcel.delivered_at) == (
        "delivered", datetime(2026, 11, 20, 15, 30, tzinfo=UTC))


def test_new_stages_find_their_place(session, options, write):
    ann = add_customer(session)
    add_order(session, ann, "5001")
    add_order(session, ann, "5002", kind="service")
    load(session, options, write, Kind.deliveries, (
        "order_number,stage,planned_at\n"
        "5001,shipped,2026-07-03\n5001,placed,2026-07-01\n"  # goods: their standard places
        "5002,kickoff,2026-07-01\n5002,draft,2026-07-10\n5002,handover,2026-07-20\n"
    ))
    stages = session.execute(select(Order.number, DeliveryStage.name, DeliveryStage.position)
                             .join(DeliveryStage.order).order_by(Order.number,
                                                                 DeliveryStage.position)).all()
    assert [tuple(s) for s in stages] == [
        ("5001", "placed", 0), ("5001", "shipped", 2),
        ("5002", "kickoff", 0), ("5002", "draft", 1), ("5002", "handover", 2),
    ]


def test_a_service_project_is_delivered_when_its_last_milestone_is_done(session, options, write):
    demo.seed_personas(session, now=options.now)
    load(session, options, write, Kind.deliveries,
         "order_number,stage,done_at\n1043,review,2026-11-19\n1043,launch,2026-11-20T10:00Z\n")
    project = session.scalar(select(Order).where(Order.number == "1043"))
    session.refresh(project)
    assert (project.status, project.delivered_at) == (
        "delivered", datetime(2026, 11, 20, 10, tzinfo=UTC))


def test_cancelled_orders_stay_cancelled(session, options, write):
    ann = add_customer(session)
    add_order(session, ann, "5001", status="cancelled")
    load(session, options, write, Kind.deliveries, "order_number,stage,done_at\n"
                                                  "5001,placed,2026-07-01\n")
    assert session.scalar(select(Order.status)) == "cancelled"


def test_derived_status():
    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)
    goods = [Stage(0, "placed", t1), Stage(1, "packed", t1), Stage(2, "shipped", None),
             Stage(3, "out_for_delivery", None), Stage(4, "delivered", None)]
    assert derived_status("goods", "placed", goods) == ("packed", None)
    goods[2:] = [Stage(2, "shipped", t1), Stage(3, "out_for_delivery", t2),
                 Stage(4, "delivered", t2)]
    assert derived_status("goods", "shipped", goods) == ("delivered", t2)
    project = [Stage(0, "brief", t1), Stage(1, "build", None)]
    assert derived_status("service", "placed", project) == ("in_progress", None)
    assert derived_status("service", "placed", [Stage(0, "brief", None)]) == ("placed", None)
    assert derived_status("goods", "cancelled", goods) is None
    assert derived_status("goods", "placed", []) is None
