"""Files the server knows: what bots upload and users send, addressable by file_id.

Telegram answers an upload with file objects (PhotoSize, Document, Voice, ...) whose
file_id can be sent again or fetched through getFile and the file URL. The store keeps
the bytes so a test can see exactly what the bot sent and a bot can download what a
user sent.
"""

from __future__ import annotations

import hashlib
import mimetypes
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

PHOTO_THUMB_SIDE = 90  # Telegram's smallest ("s") photo size


@dataclass(frozen=True)
class StoredFile:
    """One file: its Bot API identifiers, where getFile points, and its bytes."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def describe(self) -> dict[str, Any]:
        """The fields every Bot API file object shares."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }


class FileStore:
    """Every file seen by the server; file ids are stable per upload, unique ids per content."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(
        self, data: bytes, *, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        number = len(self._by_id) + 1
        unique = hashlib.sha1(data + kind.encode()).hexdigest()[:16]
        extension = _extension(file_name, mime_type, data)
        stored = StoredFile(
            file_id=f"{kind}-{number}-{unique[:8]}",
            file_unique_id=unique,
            file_path=f"{kind}s/file_{number}{extension}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile:
        try:
            return self._by_id[file_id]
        except KeyError:
            raise bad_request("wrong file identifier/HTTP URL specified") from None

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        """PhotoSize list for an image, smallest first, as Telegram returns for a photo.

        Larger photos get a thumbnail entry as well; it shares the original bytes, since
        the server does not resample images.
        """
        width, height = image_size(data)
        original = self.add(data, kind="photo")
        sizes = [{**original.describe(), "width": width, "height": height}]
        if max(width, height) > PHOTO_THUMB_SIDE:
            scale = PHOTO_THUMB_SIDE / max(width, height)
            thumb = self.add(data, kind="thumbnail")
            thumb_size = {
                **thumb.describe(),
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
            }
            sizes.insert(0, thumb_size)
        return sizes


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, JPEG, GIF or WebP image; anything else Telegram refuses."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        size = _jpeg_size(data)
        if size:
            return size
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise bad_request("IMAGE_PROCESS_FAILED")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid grey PNG, for tests and the console to send a photo without an image file."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _extension(file_name: str | None, mime_type: str | None, data: bytes) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    if mime_type:
        return mimetypes.guess_extension(mime_type) or ""
    if data.startswith(b"\x89PNG"):
        return ".png"
    return ".jpg" if data.startswith(b"\xff\xd8") else ""
