"""What an uploaded file really is, judged by its content, never by its name.

Accepted: JPEG, PNG and WebP images (decoded by Pillow to prove they are images) and PDF.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

ACCEPTED = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "PDF": ("application/pdf", ".pdf"),
}


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an accepted file, or None."""
    if data.startswith(b"%PDF-"):
        # A PDF ends with %%EOF (possibly followed by whitespace); a truncated one does not.
        return ACCEPTED["PDF"] if b"%%EOF" in data[-1024:] else None
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return ACCEPTED.get(kind or "")
