"""Which language the team reads (shop/staff_language.py): the staff chat's, remembered when
chosen with /language there, and each staff member's own."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from shop import accounts, staff_language
from shop.models import Role
from tests import journey_builders as b
from tests.conftest import NOW

GROUP = -1001000000099
_ids = itertools.count(8100)


def test_the_staff_chat_speaks_staff_language_until_the_team_chooses(session: Session) -> None:
    assert staff_language.chat_language(session, chat_id=GROUP, default="de") == "de"
    assert staff_language.chat_language(session, chat_id=GROUP, default="xx") == "en"  # no such catalog
    staff_language.choose_chat_language(session, chat_id=GROUP, language="zh", by=2, now=NOW)
    assert staff_language.chat_language(session, chat_id=GROUP, default="de") == "zh"
    staff_language.choose_chat_language(session, chat_id=GROUP, language="ru", by=2, now=NOW)
    assert staff_language.chat_language(session, chat_id=GROUP, default="de") == "ru"
    assert staff_language.chat_language(session, chat_id=GROUP - 1, default="de") == "de"  # another chat


def test_a_staff_member_is_answered_in_their_own_language(session: Session) -> None:
    sam = b.account(session, telegram_user_id=next(_ids), role=Role.staff).telegram_user_id

    def actor(code: str | None, chat_id: int) -> str:
        return staff_language.actor_language(session, telegram_user_id=sam, telegram_code=code,
                                             chat_id=chat_id, staff_chat_id=GROUP, default="de")

    assert actor("ru", GROUP) == "ru"  # their Telegram language, even in the German group
    assert actor("ru", sam) == "ru"
    assert actor(None, GROUP) == "de"  # Telegram says nothing: the group's language
    assert actor(None, sam) == "en"  # ...and privately English
    accounts.choose_language(session, telegram_user_id=sam, language="zh")
    assert actor("ru", GROUP) == actor(None, GROUP) == "zh"  # their /language choice first


def test_every_staff_chat_has_its_reader_language(session: Session) -> None:
    sam = b.account(session, telegram_user_id=next(_ids), role=Role.staff)
    tom = b.account(session, telegram_user_id=next(_ids), role=Role.staff)
    dana = b.account(session, telegram_user_id=next(_ids))
    sam.reply_language, tom.language, dana.reply_language = "ru", "de-AT", "zh"
    staff_language.choose_chat_language(session, chat_id=GROUP, language="de", by=sam.telegram_user_id,
                                        now=NOW)
    languages = staff_language.reader_languages(session, staff_chat_id=GROUP, default="en",
                                                chat_ids=[dana.telegram_user_id])
    assert languages[GROUP] == "de"
    assert languages[sam.telegram_user_id] == "ru"  # the language last used with them
    assert languages[tom.telegram_user_id] == "de"  # else their Telegram setting
    assert languages[dana.telegram_user_id] == "zh"  # a chat asked about by name
