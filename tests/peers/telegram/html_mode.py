"""Telegram's ``parse_mode=HTML``: the accepted tags, entity extraction and error texts.

Telegram rejects anything outside its short list of tags with ``400 Bad Request: can't parse
entities: ...`` and a byte offset into the UTF-8 text; client code and adapters match on those
descriptions, so the wording here follows Telegram's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ApiError, bad_request
from .text import Entity, utf16_len

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_ALLOWED = set(_SIMPLE_TAGS) | {"a", "span", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _Open:
    name: str
    start: int
    entity_type: str | None
    extra: dict[str, str] = field(default_factory=dict)


def _cannot_parse(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len += utf16_len(chunk)

    def run(self) -> tuple[str, list[Entity]]:
        source = self.source
        while self.pos < len(source):
            char = source[self.pos]
            if char == "&":
                self.entity_reference()
            elif char == "<":
                if source.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            raise _cannot_parse(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def entity_reference(self) -> None:
        source = self.source
        end = source.find(";", self.pos + 1, self.pos + 12)
        if end != -1:
            name = source[self.pos + 1 : end]
            decoded: str | None = _NAMED_ENTITIES.get(name)
            if decoded is None and name.startswith("#"):
                digits = name[1:]
                try:
                    code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
                    decoded = chr(code) if 0 < code < 0x110000 else None
                except ValueError:
                    decoded = None
            if decoded is not None:
                self.emit(decoded)
                self.pos = end + 1
                return
        # Telegram keeps an unrecognised "&" literally.
        self.emit("&")
        self.pos += 1

    def start_tag(self) -> None:
        source = self.source
        begin = self.pos
        cursor = begin + 1
        while cursor < len(source) and not source[cursor].isspace() and source[cursor] not in ">/":
            cursor += 1
        if cursor >= len(source):
            raise _cannot_parse(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = source[begin + 1 : cursor].lower()
        if name not in _ALLOWED:
            raise _cannot_parse(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        attributes, cursor = self.attributes(cursor, begin)
        self.pos = cursor
        self.stack.append(self.opened(name, attributes, begin))

    def attributes(self, cursor: int, begin: int) -> tuple[dict[str, str], int]:
        source = self.source
        attributes: dict[str, str] = {}
        while True:
            while cursor < len(source) and source[cursor].isspace():
                cursor += 1
            if cursor >= len(source):
                raise _cannot_parse(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if source[cursor] == ">":
                return attributes, cursor + 1
            name_start = cursor
            while cursor < len(source) and source[cursor] not in "= \t\n>":
                cursor += 1
            attribute = source[name_start:cursor].lower()
            value = ""
            if cursor < len(source) and source[cursor] == "=":
                cursor += 1
                if cursor < len(source) and source[cursor] in "'\"":
                    quote = source[cursor]
                    close = source.find(quote, cursor + 1)
                    if close == -1:
                        raise _cannot_parse(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
                    value = source[cursor + 1 : close]
                    cursor = close + 1
                else:
                    value_start = cursor
                    while cursor < len(source) and source[cursor] not in " \t\n>":
                        cursor += 1
                    value = source[value_start:cursor]
            attributes[attribute] = _unescape(value)

    def opened(self, name: str, attributes: dict[str, str], begin: int) -> _Open:
        start = self.out_len
        if name == "a":
            href = attributes.get("href", "")
            return _Open(name, start, "text_link" if href else None, {"url": href})
        if name == "span":
            if attributes.get("class") != "tg-spoiler":
                raise _cannot_parse(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}')
            return _Open(name, start, "spoiler")
        if name == "tg-emoji":
            emoji_id = attributes.get("emoji-id", "")
            if not emoji_id.isdigit():
                raise _cannot_parse(
                    f"Invalid custom emoji identifier specified at byte offset {self.byte_offset(begin)}"
                )
            return _Open(name, start, "custom_emoji", {"custom_emoji_id": emoji_id})
        if name == "blockquote" and "expandable" in attributes:
            return _Open(name, start, "expandable_blockquote")
        if name == "code":
            language = attributes.get("class", "")
            if language.startswith("language-") and self.stack and self.stack[-1].name == "pre":
                self.stack[-1].extra["language"] = language.removeprefix("language-")
                return _Open(name, start, None)
        return _Open(name, start, _SIMPLE_TAGS[name])

    def end_tag(self) -> None:
        source = self.source
        begin = self.pos
        close = source.find(">", begin)
        if close == -1:
            raise _cannot_parse(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        name = source[begin + 2 : close].strip().lower()
        if not self.stack:
            raise _cannot_parse(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        opened = self.stack.pop()
        if name != opened.name:
            raise _cannot_parse(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened.name}>", found "</{name}>"'
            )
        self.pos = close + 1
        length = self.out_len - opened.start
        if opened.entity_type is not None and length > 0:
            self.entities.append({"type": opened.entity_type, "offset": opened.start, "length": length} | opened.extra)


def _unescape(value: str) -> str:
    for name, char in _NAMED_ENTITIES.items():
        value = value.replace(f"&{name};", char)
    return value


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """The plain text and entities of an HTML-formatted message, or Telegram's 400.

    Raises:
        ApiError: ``Bad Request: can't parse entities: ...`` for any tag Telegram rejects,
            an unclosed or mismatched tag, or a ``<`` that does not start a tag.
    """
    return _Parser(source).run()
