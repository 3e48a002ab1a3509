"""The bot picks the reply language and tells Rasa: the Telegram setting, the language written,
/language with buttons; "ok" and "1042" keep it. Through the real bot and the local Bot API."""

from __future__ import annotations

from pathlib import Path

from shop import accounts
from tests.bot_harness import bot_with_fake_rasa


async def test_the_reply_language_follows_the_customer_and_reaches_rasa(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        user = bot.api.user(880001, "Jana", language_code="de")

        async def say(text: str) -> str | None:
            await user.send(text)
            await user.wait_for(1)
            return (bot.rasa.metadata[-1] or {}).get("language")

        assert await say("hallo") == "de"  # Telegram's setting to begin with
        assert await say("where is my order 1042?") == "en"  # what she writes, when it clearly differs
        assert await say("ok") == "en"  # a word, a number: no switch
        assert await say("1042") == "en"
        assert await say("Wo ist meine Bestellung 1042?") == "de"
        assert await say("Где мой заказ 1042?") == "ru"

        await user.send("/language")
        [question] = await user.wait_for(1)
        assert question.text == "На каком языке мне отвечать? Сейчас: Русский."
        assert question.buttons == ["English", "Deutsch", "Русский", "中文"]
        await user.press("中文")
        [done] = await user.wait_for(1)
        assert done.text == "好的，从现在起我将用中文回复。发送 /language 可以更改。"
        assert await say("where is my order 1042?") == "zh"  # a choice outlasts what she writes
        stored = await bot.services.in_transaction(lambda s: accounts.stored_language(s, user.id))
        assert stored == "zh"


async def test_a_message_that_is_not_text_is_answered_in_the_users_language(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        user = bot.api.user(880002, "Li", language_code="zh-hans")
        await user.send_sticker()
        [reply] = await user.wait_for(1)
        assert reply.text.startswith("我目前只能读取文字消息。")
