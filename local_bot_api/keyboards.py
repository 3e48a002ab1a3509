"""Reply markup: Telegram's validation of keyboards and finding the button a user presses."""

from __future__ import annotations

from typing import Any

from .errors import bad_request

Markup = dict[str, Any]
Button = dict[str, Any]

INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
MAX_CALLBACK_DATA_BYTES = 64


def validate_markup(markup: Any) -> Markup | None:
    """The markup as Telegram stores it, or the 400 Telegram gives for a malformed one."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _rows(markup["inline_keyboard"], inline=True)
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in rows]}
    if "keyboard" in markup:
        rows = _rows(markup["keyboard"], inline=False)
        keyboard = [[_reply_button(b) for b in row] for row in rows]
        return {**markup, "keyboard": keyboard}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return dict(markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def is_inline(markup: Markup | None) -> bool:
    """Only inline keyboards belong to a message; Telegram echoes no other markup."""
    return bool(markup) and "inline_keyboard" in markup  # type: ignore[operator]


def find_button(markup: Markup | None, label: str) -> Button | None:
    """The button whose text (or, for inline buttons, callback_data) equals ``label``."""
    if not markup:
        return None
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    for row in rows:
        for button in row:
            if label in (button.get("text"), button.get("callback_data")):
                return dict(button)
    return None


def button_labels(markup: Markup | None) -> list[str]:
    """Texts of all buttons, row by row, for readable test failures and the console."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [button["text"] for row in rows for button in row]


def _rows(rows: Any, *, inline: bool) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        kind = "inline keyboard" if inline else "keyboard"
        raise bad_request(f"can't parse {kind} buttons: field must be an Array of Arrays")
    return rows


def _inline_button(button: Any) -> Button:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(action in button for action in INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    return dict(button)


def _reply_button(button: Any) -> Button:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    return dict(button)
