"""Files as Matrix sends them: uploaded to the content repository, then an ``m.file`` or
``m.image`` event that points at the upload.

In an end-to-end encrypted room the upload itself is encrypted (AES-CTR, as the spec's
encrypted attachments): the homeserver stores ciphertext, and the event, itself encrypted,
carries the key under ``file`` instead of a plain ``url``, as Element does for every file it
sends to an encrypted room. A plain upload would be readable by the homeserver and by anyone
who learns its address, whatever the room's encryption promises.
"""

from __future__ import annotations

import mimetypes
import struct
from typing import Any

_PNG = b"\x89PNG\r\n\x1a\n"
_TEXT_SUFFIXES = {".blt": "text/plain", ".txt": "text/plain"}


def mimetype_of(name: str, data: bytes) -> str:
    """The file's media type by its name; text that no table knows (a BLT file) as plain text,
    so clients offer to show it; anything else as bytes to download."""
    lowered = name.lower()
    for suffix, kind in _TEXT_SUFFIXES.items():
        if lowered.endswith(suffix):
            return kind
    guessed, _ = mimetypes.guess_type(lowered)
    if guessed:
        return guessed
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG image, read from its header; None if not one of those.
    Clients reserve the image's space from it before they have downloaded it."""
    if data.startswith(_PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        n = 2
        while n + 9 < len(data):
            if data[n] != 0xFF:
                return None
            marker = data[n + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
                n += 2
                continue
            (length,) = struct.unpack(">H", data[n + 2 : n + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
                height, width = struct.unpack(">HH", data[n + 5 : n + 9])
                return int(width), int(height)
            n += 2 + length
    return None


def file_message(name: str, data: bytes, mimetype: str, *, url: str | None = None,
                 encrypted: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``m.room.message`` content of an uploaded file: an ``m.image`` with its size in
    pixels if it is a picture clients can show, an ``m.file`` otherwise. The body is the file
    name (what clients that show no files print); the caption goes as a notice of its own."""
    info: dict[str, Any] = {"mimetype": mimetype, "size": len(data)}
    size = image_size(data) if mimetype.startswith("image/") else None
    if size is not None:
        info["w"], info["h"] = size
    content: dict[str, Any] = {
        "msgtype": "m.image" if size is not None else "m.file",
        "body": name,
        "filename": name,
        "info": info,
        "m.mentions": {},
    }
    if encrypted is not None:
        content["file"] = encrypted
    else:
        assert url is not None
        content["url"] = url
    return content
