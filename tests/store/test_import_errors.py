"""A broken file is refused as a whole, with every problem located, and writes nothing."""

from __future__ import annotations

import pytest

from shop import demo
from shop.csvio import ImportFailed, Kind, Problem, import_file
from tests.store.conftest import add_customer, add_order, snapshot

ORDERS_HEADER = "number,customer_email,total,currency,created_at\n"


def refused(session, options, path, kind) -> list[Problem]:  # type: ignore[no-untyped-def]
    before = snapshot(session)
    with pytest.raises(ImportFailed) as caught:
        import_file(session, kind, path, options=options)
    assert snapshot(session) == before, "a refused file must not change the database"
    return caught.value.problems


@pytest.fixture
def ann(session):  # type: ignore[no-untyped-def]
    return add_customer(session, "ann@example.com")


def test_wrong_header_names_each_unknown_and_missing_column(session, options, write):
    path = write("orders.csv", "order,email,amount\n1,ann@example.com,5\n")
    problems = refused(session, options, path, Kind.orders)
    assert [(p.line, p.column) for p in problems] == [
        (1, "order"), (1, "email"), (1, "amount"),
        (1, "number"), (1, "customer_email"), (1, "total"), (1, "created_at"),
    ]
    assert problems[0].reason.startswith("unknown column; the columns are: number, customer_email")
    assert problems[3].reason == "required column is missing"


def test_missing_required_column(session, options, write):
    problems = refused(session, options, write("c.csv", "email\nann@example.com\n"),
                       Kind.customers)
    assert problems == [Problem(1, "name", "", "required column is missing")]


def test_bad_email(session, options, write):
    path = write("c.csv", "email,name\nann@example.com,Ann\nnot-an-email,Bob\n")
    assert refused(session, options, path, Kind.customers) == [
        Problem(3, "email", "not-an-email", "not a valid e-mail address"),
    ]


def test_negative_amount(session, options, write, ann):
    path = write("o.csv", ORDERS_HEADER + "5001,ann@example.com,-12.50,EUR,2026-03-01\n")
    assert refused(session, options, path, Kind.orders) == [
        Problem(2, "total", "-12.50", "must not be negative"),
    ]


def test_unknown_customer(session, options, write, ann):
    path = write("o.csv", ORDERS_HEADER + "5001,nobody@example.com,12.50,EUR,2026-03-01\n")
    [problem] = refused(session, options, path, Kind.orders)
    assert (problem.line, problem.column, problem.value) == (2, "customer_email",
                                                             "nobody@example.com")
    assert problem.reason.startswith("no customer with this e-mail")


def test_duplicate_order_number_in_one_file(session, options, write, ann):
    path = write("o.csv", ORDERS_HEADER + "5001,ann@example.com,1,EUR,2026-03-01\n"
                 "5002,ann@example.com,1,EUR,2026-03-01\n5001,ann@example.com,2,EUR,2026-03-02\n")
    assert refused(session, options, path, Kind.orders) == [
        Problem(4, "number", "5001", "this order number appears twice; first on line 2"),
    ]


def test_non_utf8_bytes_name_line_and_offset(session, options, write):
    content = b"email,name\nann@example.com,Ann\n" + "zoé@example.com,Zoé\n".encode("cp1252")
    [problem] = refused(session, options, write("c.csv", content), Kind.customers)
    assert (problem.line, problem.value) == (3, "byte 0xE9")
    assert "not UTF-8 text at byte offset 33" in problem.reason
    assert "save the file as UTF-8" in problem.reason


def test_a_multibyte_character_across_read_blocks_is_fine(session, options, write, monkeypatch):
    monkeypatch.setattr("shop.csvio.reading.BLOCK_BYTES", 16)
    path = write("c.csv", "email,name\nzoe@example.com,Zoé Ærø\n")
    assert import_file(session, Kind.customers, path, options=options).counts.inserted == 1


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n   \n"])
def test_empty_file(session, options, write, content):
    assert refused(session, options, write("c.csv", content), Kind.customers) == [
        Problem(1, "", "", "the file is empty"),
    ]


def test_every_problem_is_reported_at_once_in_line_order(session, options, write, ann):
    path = write("o.csv", (
        "number,customer_email,total,kind,created_at\n"
        "5001,ann@example.com,12.505,gods,2026-03-01\n"
        "\n"
        '"50\n02",ANN@example.com,1,,2026-03-29 02:30\n'  # a value over two lines
        "5003,,abc,goods,01/03/2026\n"
    ))
    problems = refused(session, options, path, Kind.orders)
    assert [(p.line, p.column, p.reason.split(";")[0].split(" (")[0]) for p in problems] == [
        (2, "total", "more than 2 decimals"),
        (2, "kind", "must be one of: goods, service"),
        (4, "created_at", "this local time is skipped or repeated by the clock change in "
                          "Europe/Berlin"),
        (6, "customer_email", "required value is missing"),
        (6, "total", "not an amount: use digits and a dot for decimals, e.g. 1234.50"),
        (6, "created_at", "not an ISO 8601 date or date-time"),
    ]


def test_a_row_with_too_many_values(session, options, write):
    path = write("c.csv", "email,name\nann@example.com,Ann\nbob@example.com,Bob,Builder\n")
    assert refused(session, options, path, Kind.customers) == [Problem(
        3, "", "bob@example.com,Bob,Builder",
        "3 values where the header has 2; put values that contain commas in double quotes",
    )]


def test_too_many_values_on_the_first_row_too(session, options, write):
    path = write("c.csv", "email,name\nann@example.com,Ann,Extra\n")
    [problem] = refused(session, options, path, Kind.customers)
    assert problem.line == 2 and problem.reason.startswith("3 values where the header has 2")


def test_bad_phone_says_how_to_fix(session, options, write):
    path = write("c.csv", "email,name,phone\na@example.com,A,0151 1234 5678\n"
                 "b@example.com,B,+49 12\n")
    problems = refused(session, options, path, Kind.customers)
    assert [(p.line, p.column) for p in problems] == [(2, "phone"), (3, "phone")]
    assert "--phone-region" in problems[0].reason
    assert problems[1].reason.startswith("not a valid phone number")


def test_items_need_a_known_order_and_a_name_for_a_new_sku(session, options, write, ann):
    add_order(session, ann, "5001")
    path = write("i.csv", "order_number,sku,product_name,quantity,unit_price\n"
                 "5001,NEW-1,,1,5.00\n9999,NEW-2,Thing,1,5.00\n5001,NEW-3,Vase,0,5.00\n")
    assert [(p.line, p.column, p.reason.split(";")[0]) for p in refused(
        session, options, path, Kind.items)] == [
        (2, "product_name", "a new sku: give the product's name here so it can be created"),
        (3, "order_number", "no order with this number"),
        (4, "quantity", "must be 1 or more"),
    ]


def test_deliveries_check_goods_stage_names_and_positions(session, options, write):
    demo.seed_personas(session, now=options.now)
    path = write("d.csv", "order_number,stage,position\n"
                 "1042,lost_in_space,\n1043,handover,2\n")
    assert [(p.line, p.column, p.value, p.reason) for p in refused(
        session, options, path, Kind.deliveries)] == [
        (2, "stage", "lost_in_space",
         "a goods order's stages are: placed, packed, shipped, out_for_delivery, delivered"),
        (3, "position", "2", "this position is already the stage 'build' of this order"),
    ]


def test_control_characters_in_text_are_refused_on_every_backend(session, options, write, ann):
    add_order(session, ann, "5001")
    path = write("d.csv", (
        "order_number,stage,carrier,tracking_number\n"
        "5001,placed,DHL\x00,\n"  # PostgreSQL can't store NUL in text
        '5001,packed,"Line\none\ttab",AB\x1b[31m\n'  # line breaks and tabs are text, ESC is not
        "50\x7f01,shipped,,\n"
    ))
    assert [(p.line, p.column, p.reason) for p in refused(session, options, path,
                                                          Kind.deliveries)] == [
        (2, "carrier", "contains a control character (U+0000 at character 4); remove it"),
        (3, "tracking_number", "contains a control character (U+001B at character 3); remove it"),
        (5, "order_number", "contains a control character (U+007F at character 3); remove it"),
    ]


def test_a_nul_in_a_name_or_an_e_mail_is_refused_not_a_crash(session, options, write):
    path = write("c.csv", "email,name\nann@example.com,An\x00n\nbob\x00@example.com,Bob\n")
    assert refused(session, options, path, Kind.customers) == [
        Problem(2, "name", "An\x00n",
                "contains a control character (U+0000 at character 3); remove it"),
        Problem(3, "email", "bob\x00@example.com",
                "contains a control character (U+0000 at character 4); remove it"),
    ]


def test_a_stage_done_in_the_future_is_refused(session, options, write):
    demo.seed_personas(session, now=options.now)  # NOW is 2026-11-20 12:00 UTC, 13:00 in Berlin
    path = write("d.csv", "order_number,stage,done_at\n"
                 "1042,out_for_delivery,2026-11-20T13:04:00+01:00\n"  # within the clock skew
                 "1042,delivered,2026-11-21 09:00\n")
    [problem] = refused(session, options, path, Kind.deliveries)
    assert (problem.line, problem.column, problem.value) == (3, "done_at", "2026-11-21 09:00")
    assert problem.reason.startswith(
        "in the future (the import ran at 2026-11-20 13:00 Europe/Berlin)")


def test_a_stage_done_within_the_clock_skew_counts(session, options, write):
    demo.seed_personas(session, now=options.now)
    path = write("d.csv", "order_number,stage,done_at\n1042,delivered,2026-11-20T12:04:59Z\n")
    result = import_file(session, Kind.deliveries, path, options=options)
    assert result.newly_done == [("1042", "delivered")]


def test_a_date_that_does_not_exist_is_told_apart_from_malformed_text(session, options, write, ann):
    path = write("o.csv", ORDERS_HEADER + "".join(
        f"50{i:02d},ann@example.com,1,EUR,{when}\n" for i, when in enumerate([
            "2026-02-30", "2028-02-29", "2026-13-01", "2026-04-30 24:00",
            "2026-04-30T10:00+25:00", "30.04.2026",
        ])
    ))
    assert [(p.line, p.value, p.reason) for p in refused(session, options, path, Kind.orders)] == [
        (2, "2026-02-30", "2026-02-30 is not a date in the calendar (February has 28 days in 2026)"),
        (4, "2026-13-01", "2026-13-01 is not a date in the calendar (there is no month 13)"),
        (5, "2026-04-30 24:00",
         "24:00 is not a time of day (hours go up to 23, minutes and seconds up to 59)"),
        (6, "2026-04-30T10:00+25:00", "+25:00 is not a UTC offset (e.g. +01:00 or -05:00)"),
        (7, "30.04.2026", "not an ISO 8601 date or date-time "
                          "(e.g. 2026-03-01, 2026-03-01 14:30 or 2026-03-01T14:30:00+01:00)"),
    ]


def test_an_unclosed_quote_is_reported_where_it_opens(session, options, write):
    path = write("c.csv", (
        "email,name\n"
        'ann@example.com,"Ann ""the first""\nExample"\n'  # quotes and a line break, closed
        'bob@example.com,"Bob\n'  # never closed: the rest of the file would be Bob's name
        "cy@example.com,Cy\n"
    ))
    assert refused(session, options, path, Kind.customers) == [Problem(
        4, "name", '"Bob',
        'a quoted field opened on line 4 is never closed: end it with a " '
        '(and write a " inside a value as "")',
    )]
