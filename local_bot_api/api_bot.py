"""Bot API methods about the bot itself, chats, members, files and button answers."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .context import ApiContext, Handler, Params
from .errors import bad_request
from .world import Chat

COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MAX_COMMANDS = 100
MAX_FILE_DOWNLOAD = 20 * 1024 * 1024
CALLBACK_EXPIRED = "query is too old and response timeout expired or query ID is invalid"


async def get_me(ctx: ApiContext, p: Params) -> dict[str, Any]:
    return {
        **ctx.world.bot,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def log_out_or_close(ctx: ApiContext, p: Params) -> bool:
    """logOut and close only matter to Telegram's cloud; accepting them keeps PTB content."""
    return True


async def answer_callback_query(ctx: ApiContext, p: Params) -> bool:
    record = ctx.world.callbacks.get(str(p.get("callback_query_id", "")))
    expired = record is None or time.monotonic() - record.created > ctx.callback_query_ttl
    if record is None or expired or record.answer is not None:
        raise bad_request(CALLBACK_EXPIRED)
    record.answer = {k: v for k, v in p.items() if k != "callback_query_id"}
    ctx.world.chat(record.chat_id).signal.fire()
    return True


async def get_chat(ctx: ApiContext, p: Params) -> dict[str, Any]:
    chat = ctx.world.chat(p.get("chat_id", ""))
    return {
        **chat.as_chat(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


async def get_chat_member(ctx: ApiContext, p: Params) -> dict[str, Any]:
    chat = ctx.world.chat(p.get("chat_id", ""))
    user_id = p.get("user_id")
    if user_id == ctx.world.bot["id"]:
        if chat.bot_is_admin:
            return _bot_administrator(ctx, chat)
        return {"status": "member", "user": ctx.world.bot}
    account = ctx.world.accounts.get(user_id)  # type: ignore[arg-type]
    if account is None:
        raise bad_request("PARTICIPANT_ID_INVALID")
    status = "member" if account.id in chat.members else "left"
    return {"status": status, "user": account.as_user()}


async def set_my_commands(ctx: ApiContext, p: Params) -> bool:
    commands = p.get("commands")
    if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "commands must be an array")
    for command in commands:
        if not isinstance(command, dict) or not COMMAND.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _commands_key(p)
    ctx.world.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(ctx: ApiContext, p: Params) -> list[dict[str, str]]:
    return ctx.world.commands.get(_commands_key(p), [])


async def delete_my_commands(ctx: ApiContext, p: Params) -> bool:
    ctx.world.commands.pop(_commands_key(p), None)
    return True


async def get_file(ctx: ApiContext, p: Params) -> dict[str, Any]:
    stored = ctx.world.files.get(str(p.get("file_id", "")))
    if len(stored.data) > MAX_FILE_DOWNLOAD:
        raise bad_request("file is too big")
    return {**stored.describe(), "file_path": stored.file_path}


def _bot_administrator(ctx: ApiContext, chat: Chat) -> dict[str, Any]:
    """ChatMemberAdministrator for the bot: what a staff group gives a bot that opens topics."""
    rights = dict.fromkeys(
        ("can_manage_chat", "can_delete_messages", "can_invite_users", "can_pin_messages"), True
    )
    rights.update(dict.fromkeys(
        ("can_be_edited", "is_anonymous", "can_manage_video_chats", "can_restrict_members",
         "can_promote_members", "can_change_info", "can_post_stories", "can_edit_stories",
         "can_delete_stories"), False))  # fmt: skip
    return {"status": "administrator", "user": ctx.world.bot, **rights,
            "can_manage_topics": chat.bot_can_manage_topics}


def _commands_key(p: Params) -> tuple[str, str]:
    """Commands are kept per scope and language, as Telegram keeps them."""
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.get("language_code") or ""


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": log_out_or_close,
    "close": log_out_or_close,
    "answerCallbackQuery": answer_callback_query,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
}
