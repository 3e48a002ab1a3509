"""Message formatting as Telegram applies it: parse modes into plain text plus entities.

Telegram never stores markup: a message sent with ``parse_mode`` comes back as plain text
with ``entities`` whose offsets count UTF-16 code units, and broken markup is refused
with "can't parse entities: ...". The parsers follow TDLib's (``MessageEntity.cpp``)
closely enough that the texts and errors a bot meets here are the ones it meets live.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import bad_request

Entity = dict[str, Any]

HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"
# Entities Telegram finds by itself in any text; a code, pre or link entity hides them.
AUTO_ENTITY_PATTERNS = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("bot_command", re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?\b")),
    ("mention", re.compile(r"(?<![\w@])@[a-zA-Z0-9_]{3,32}\b")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)
HIDING_TYPES = frozenset({"code", "pre", "text_link", "url", "email"})


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Bot API entity offset."""
    return len(text.encode("utf-16-le")) // 2


def format_text(text: str, parse_mode: str | None, entities: list[Entity] | None) -> Formatted:
    """Plain text and entities for a message, trimmed the way Telegram trims it."""
    if parse_mode:
        if entities:
            # Telegram ignores parse_mode when explicit entities are given.
            parsed = Formatted(text, list(entities))
        else:
            parsed = _PARSERS.get(parse_mode.lower(), _unsupported_mode)(text)
    else:
        parsed = Formatted(text, list(entities or []))
    trimmed = parsed.trimmed()
    trimmed.entities.extend(detect_entities(trimmed.text, trimmed.entities))
    trimmed.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return trimmed


def detect_entities(text: str, existing: Iterable[Entity] = ()) -> list[Entity]:
    """URLs, e-mails, /commands, @mentions and #hashtags, as Telegram marks them up."""
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in HIDING_TYPES
    ]
    found: list[Entity] = []
    for kind, pattern in AUTO_ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(match.group())
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            found.append({"type": kind, "offset": start, "length": end - start})
            taken.append((start, end))
    return found


class Formatted:
    """Text with its entities; offsets and lengths in UTF-16 code units."""

    def __init__(self, text: str, entities: list[Entity]) -> None:
        self.text = text
        self.entities = entities

    def trimmed(self) -> Formatted:
        """Drop surrounding whitespace and clip entities to what is left, like Telegram."""
        lead = utf16_len(self.text) - utf16_len(self.text.lstrip())
        text = self.text.strip()
        size = utf16_len(text)
        entities = []
        for entity in self.entities:
            start = max(entity["offset"] - lead, 0)
            end = min(entity["offset"] + entity["length"] - lead, size)
            if end > start:
                entities.append({**entity, "offset": start, "length": end - start})
        return Formatted(text, entities)


class _Builder:
    """Accumulates output text while tracking its UTF-16 length for entity offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += utf16_len(chunk)

    def entity(
        self, kind: str, start: int, extra: dict[str, str] | None = None, *, end: int | None = None
    ) -> None:
        """Record an entity from ``start`` to ``end`` (default: here); empty ones are dropped."""
        end = self.offset if end is None else end
        if end > start:
            entity = {"type": kind, "offset": start, "length": end - start}
            self.entities.append({**entity, **(extra or {})})

    def text(self) -> str:
        return "".join(self.parts)

    def result(self) -> Formatted:
        return Formatted(self.text(), self.entities)


def _parse_error(reason: str) -> Exception:
    return bad_request(f"can't parse entities: {reason}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _unsupported_mode(_text: str) -> Formatted:
    raise bad_request("unsupported parse_mode")


def parse_html(text: str) -> Formatted:
    """Telegram's HTML: a fixed tag set, four named entities, numeric entities."""
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == "&":
            match = re.match(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);", text[i:])
            decoded = _html_entity(match.group(1)) if match else None
            if match and decoded is not None:
                out.add(decoded)
                i += match.end()
            else:
                out.add("&")
                i += 1
        elif char != "<":
            out.add(char)
            i += 1
        elif text.startswith("</", i):
            end = text.find(">", i)
            if end == -1:
                raise _parse_error(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            open_name, start, attrs = stack.pop()
            if name != open_name:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {_byte_offset(text, i)}, expected "</'
                    f'{open_name}>", found "</{name}>"'
                )
            _close_html_entity(out, open_name, start, attrs, stack)
            i = end + 1
        else:
            i = _open_html_tag(text, i, out, stack)
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _html_entity(name: str) -> str | None:
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code < 0x110000 else None
    return HTML_NAMED_ENTITIES.get(name)


def _open_html_tag(
    text: str, i: int, out: _Builder, stack: list[tuple[str, int, dict[str, str]]]
) -> int:
    begin = _byte_offset(text, i)
    match = re.compile(r"<([^\s>/]*)").match(text, i)
    assert match is not None  # "<" always matches
    name = match.group(1).lower()
    pos = match.end()
    if pos >= len(text):
        raise _parse_error(f"Unclosed start tag at byte offset {begin}")
    if name not in HTML_TAGS:
        raise _parse_error(f'Unsupported start tag "{name}" at byte offset {begin}')
    attrs: dict[str, str] = {}
    attr = re.compile(r"\s*([a-zA-Z_-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            raise _parse_error(f"Unclosed start tag at byte offset {begin}")
        if text[pos] == ">":
            break
        found = attr.match(text, pos)
        if not found:
            raise _parse_error(f'Empty attribute name in the tag "{name}" at byte offset {begin}')
        value = found.group(2) or ""
        attrs[found.group(1).lower()] = value[1:-1] if value[:1] in "\"'" else value
        pos = found.end()
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    stack.append((name, out.offset, attrs))
    return pos + 1


def _close_html_entity(
    out: _Builder, name: str, start: int, attrs: dict[str, str], stack: list[Any]
) -> None:
    kind = HTML_TAGS[name]
    if name == "a":
        if "href" in attrs:
            out.entity("text_link", start, {"url": attrs["href"]})
    elif name == "tg-emoji":
        out.entity("custom_emoji", start, {"custom_emoji_id": attrs.get("emoji-id", "")})
    elif name == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif name == "code" and stack and stack[-1][0] == "pre" and "class" in attrs:
        language = attrs["class"].removeprefix("language-")
        pre_start = stack[-1][1]
        stack[-1] = ("pre", pre_start, {**stack[-1][2], "language": language})
    elif name == "pre" and attrs.get("language"):
        out.entity("pre", start, {"language": attrs["language"]})
    else:
        out.entity(kind, start)


_MDV2_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}  # fmt: skip


def parse_markdown_v2(text: str) -> Formatted:
    """Telegram's MarkdownV2: every reserved character outside an entity needs a backslash."""
    out = _Builder()
    # (type, utf16 start, byte offset of the opening, start index in the output, extra)
    stack: list[tuple[str, int, int, int, dict[str, str]]] = []
    quote_start: int | None = None  # a blockquote is a run of lines starting with ">"
    quote_end = 0
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        in_code = bool(stack) and stack[-1][0] in {"code", "pre"}
        if (i == 0 or text[i - 1] == "\n") and not in_code:
            if char == ">":
                quote_start = out.offset if quote_start is None else quote_start
                i += 1
                continue
            if quote_start is not None:
                out.entity("blockquote", quote_start, end=quote_end)
                quote_start = None
        if char == "\\" and i + 1 < size and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
        elif char not in ("`" if in_code else MARKDOWN_V2_RESERVED):
            if char == "\n":
                quote_end = out.offset
            out.add(char)
            i += 1
        elif stack and _ends_mdv2(stack[-1][0], text[i : i + 3]):
            i = _close_mdv2(text, i, out, stack)
        else:
            i = _open_mdv2(text, i, out, stack)
    if stack:
        kind, _, byte_offset, _, extra = stack[-1]
        name = "PreCode" if kind == "pre" and extra.get("language") else _MDV2_NAMES[kind]
        raise _parse_error(f"Can't find end of {name} entity at byte offset {byte_offset}")
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def _ends_mdv2(kind: str, ahead: str) -> bool:
    """Whether ``ahead`` (the next three characters) closes the innermost open entity."""
    closers = {
        "bold": ("*",), "italic": ("_",), "code": ("`",), "pre": ("```",),
        "text_link": ("]",), "custom_emoji": ("]",), "underline": ("__",),
        "strikethrough": ("~",), "spoiler": ("||",),
    }  # fmt: skip
    if kind == "italic" and ahead.startswith("__"):
        return False  # "__" opens underline inside italic
    return ahead.startswith(closers[kind])


def _open_mdv2(
    text: str, i: int, out: _Builder, stack: list[tuple[str, int, int, int, dict[str, str]]]
) -> int:
    char, nxt = text[i], text[i + 1 : i + 2]
    byte_offset = _byte_offset(text, i)
    extra: dict[str, str] = {}
    if char == "_" and nxt == "_":
        kind, i = "underline", i + 2
    elif char in "_*~[":
        kind, i = {"_": "italic", "*": "bold", "~": "strikethrough", "[": "text_link"}[char], i + 1
    elif char == "|" and nxt == "|":
        kind, i = "spoiler", i + 2
    elif char == "!" and nxt == "[":
        kind, i = "custom_emoji", i + 2
    elif char == "`" and text.startswith("```", i):
        kind, i = "pre", i + 3
        language = re.match(r"[^\s`]*", text[i:])
        assert language is not None
        end = i + language.end()
        if language.group() and end < len(text) and text[end] != "`":
            extra["language"], i = language.group(), end
        for newline in ("\r\n", "\n\r", "\n", "\r"):
            if text.startswith(newline, i):
                i += len(newline)
                break
    elif char == "`":
        kind, i = "code", i + 1
    else:
        raise _parse_error(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )
    stack.append((kind, out.offset, byte_offset, len(out.text()), extra))
    return i


def _close_mdv2(
    text: str, i: int, out: _Builder, stack: list[tuple[str, int, int, int, dict[str, str]]]
) -> int:
    kind, start, _, text_start, extra = stack.pop()
    i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
    if kind in {"text_link", "custom_emoji"}:
        url, i = _mdv2_url(text, i, default=out.text()[text_start:])
        if kind == "text_link":
            extra = {"url": url}
        elif url.startswith("tg://emoji?id="):
            extra = {"custom_emoji_id": url.removeprefix("tg://emoji?id=")}
        else:
            raise _parse_error("Custom emoji entity must contain a tg://emoji URL")
    out.entity(kind, start, extra)
    return i


def _mdv2_url(text: str, i: int, *, default: str) -> tuple[str, int]:
    """The ``(url)`` after ``[label]``; without one the label itself is the URL."""
    if text[i : i + 1] != "(":
        return default, i
    begin = _byte_offset(text, i + 1)
    i += 1
    url: list[str] = []
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            url.append(text[i + 1])
            i += 2
            continue
        url.append(text[i])
        i += 1
    if i >= len(text):
        raise _parse_error(f"Can't find end of a URL at byte offset {begin}")
    return "".join(url), i + 1


def parse_markdown(text: str) -> Formatted:
    """Telegram's legacy Markdown: ``*bold*``, ``_italic_``, code, pre and links, no nesting."""
    out = _Builder()
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == "\\" and text[i + 1 : i + 2] in {"_", "*", "`", "["}:
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        begin, end_char = i, "]" if char == "[" else char
        i += 1
        is_pre, language = False, ""
        if text.startswith("``", i) and char == "`":
            is_pre, i = True, i + 2
            match = re.match(r"[^\s`]*", text[i:])
            assert match is not None
            if match.group() and i + match.end() < size and text[i + match.end()] != "`":
                language, i = match.group(), i + match.end()
            if text.startswith("\n", i):
                i += 1
        start = out.offset
        while i < size and (text[i] != end_char or (is_pre and not text.startswith("```", i))):
            out.add(text[i])
            i += 1
        if i >= size:
            raise _parse_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        if char == "[":
            label = text[begin + 1 : i]
            url = label
            if text[i + 1 : i + 2] == "(":
                close = text.find(")", i + 2)
                url = text[i + 2 : close if close != -1 else size]
                i = close if close != -1 else size - 1
            out.entity("text_link", start, {"url": url})
        elif is_pre:
            out.entity("pre", start, {"language": language} if language else None)
            i += 2
        else:
            out.entity({"_": "italic", "*": "bold", "`": "code"}[char], start)
        i += 1
    return out.result()


_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
