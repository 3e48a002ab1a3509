"""FAQ entries in the store and in CSV files: validated imports, exports that import back."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.csvio import ImportFailed, Kind, export_csv, import_file
from shop.faq import entries
from shop.faq.demo import DEMO_FAQ, seed_faq
from shop.models import FaqEntry
from tests.store.conftest import BERLIN, snapshot

HEADER = "question,answer,variants,tags,language,enabled\n"


def export_faq(session) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO(newline="")
    export_csv(session, Kind.faq, out, zone=BERLIN)
    return out.getvalue()


def stored(session) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in session.execute(select(
        FaqEntry.question, FaqEntry.answer, FaqEntry.variants, FaqEntry.tags, FaqEntry.language,
        FaqEntry.enabled).order_by(FaqEntry.id))]


def test_import_adds_entries_with_defaults(session, options, write):
    path = write("faq.csv", HEADER
                 + 'Do you ship to Austria?,"Yes, in 3-5 days.",Delivery to Austria? | Austria?,shipping,,\n'
                 + "Opening hours?,Mon-Fri 9-18.,,,de,no\n")
    result = import_file(session, Kind.faq, path, options=options)
    assert (result.rows, result.counts.inserted) == (2, 2)
    assert stored(session) == [
        ("Do you ship to Austria?", "Yes, in 3-5 days.", "Delivery to Austria?\nAustria?", "shipping",
         "en", True),
        ("Opening hours?", "Mon-Fri 9-18.", None, None, "de", False),
    ]
    entry = session.scalar(select(FaqEntry).where(FaqEntry.language == "en"))
    assert entry.created_at == options.now and entry.updated_at == options.now


def test_a_bad_file_is_refused_whole_with_line_and_column(session, options, write):
    seed_faq(session, now=options.now)
    before = snapshot(session)
    path = write("faq.csv", HEADER
                 + "New question?,An answer,,,,\n"
                 + ",Answer without a question,,,,\n"
                 + "Another?,Fine,,,english,maybe\n"
                 + "New question?,Twice,,,,\n")
    with pytest.raises(ImportFailed) as failed:
        import_file(session, Kind.faq, path, options=options)
    problems = [(p.line, p.column, p.reason) for p in failed.value.problems]
    assert problems == [
        (3, "question", "required value is missing"),
        (4, "language", "not a language code such as en, de or pt-br"),
        (4, "enabled", "must be yes or no"),
        (5, "question", "this question appears twice; first on line 2"),
    ]
    assert snapshot(session) == before


def test_a_changed_row_updates_the_entry_and_its_time_only_then(session, options, write):
    path = write("faq.csv", HEADER + "Do you ship to Austria?,Yes.,,,,\nOpen on Sunday?,No.,,,,\n")
    import_file(session, Kind.faq, path, options=options)
    later = options.__class__(zone=options.zone, now=options.now + timedelta(hours=1))
    path = write("faq.csv", HEADER + "Do you ship to Austria?,Yes: 3-5 days.,,,,\nOpen on Sunday?,No.,,,,\n")
    result = import_file(session, Kind.faq, path, options=later)
    assert (result.counts.updated, result.counts.unchanged) == (1, 1)
    times = dict(session.execute(select(FaqEntry.question, FaqEntry.updated_at)).all())
    assert times == {"Do you ship to Austria?": later.now, "Open on Sunday?": options.now}


def test_export_imports_back_exactly_formulas_and_line_breaks_included(session, options, write):
    seed_faq(session, now=options.now)
    entries.add_entry(session, question="=1+1 is that a question?", now=options.now,
                      answer='-It is, "quoted", with a\nline break', tags="@odd")
    first = export_faq(session)
    assert "'=1+1 is that a question?" in first and "'@odd" in first
    assert first.splitlines()[0] == HEADER.strip()
    before = stored(session)
    session.execute(FaqEntry.__table__.delete())
    import_file(session, Kind.faq, write("faq.csv", first), options=options)
    assert stored(session) == before
    assert export_faq(session) == first


def test_the_demo_faq_is_about_25_entries_and_seeded_once(session, now):
    assert seed_faq(session, now=now) == len(DEMO_FAQ)
    assert 24 <= len(DEMO_FAQ) <= 30
    assert seed_faq(session, now=now) == 0
    assert len(entries.list_entries(session)) == len(DEMO_FAQ)


def test_owner_edits_check_what_they_get(session, now):
    entry = entries.add_entry(session, question="Do you ship to Austria?", answer="Yes.", now=now)
    with pytest.raises(entries.FaqError, match="already in the FAQ"):
        entries.add_entry(session, question="Do you ship to Austria?", answer="Again", now=now)
    with pytest.raises(entries.FaqError, match="with a \\| between"):
        entries.split_question_answer("no bar here")
    assert entries.split_question_answer(" Q? | A. ") == ("Q?", "A.")
    later = now + timedelta(minutes=5)
    edited = entries.edit_entry(session, entry.id, answer="Yes, 3-5 days.", now=later)
    assert (edited.question, edited.answer, edited.updated_at) == (
        "Do you ship to Austria?", "Yes, 3-5 days.", later)
    entries.delete_entry(session, entry.id)
    with pytest.raises(entries.FaqError, match=f"no FAQ entry #{entry.id}"):
        entries.get_entry(session, entry.id)
