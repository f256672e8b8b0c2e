"""Inspect a file uploaded by a reporter before it is stored encrypted.

Pure: bytes in, a `CleanFile` or a `FileRejected` out; no database, no storage, no logging.

Decisions a reader may question:

- The type comes from the content (magic bytes) only; the name and any client-declared type
  are ignored, and the safe name gets the extension of the real type.
- Archives and office documents (DOCX, XLSX, ODT are ZIP files) are refused without being
  opened, so a zip bomb costs nothing; the reporter is asked for a PDF or a photo instead.
- Images are decoded fully with Pillow. Pictures over `MAX_PIXELS` (for animations, summed
  over all frames) are refused as "too_large_image", not "malformed": the file is fine, just
  too big to process. Pillow's own decompression-bomb warning and error map to the same code
  and never leak out as warnings.
- Stripping metadata re-encodes the pixels only, after applying the EXIF orientation: no EXIF
  (so no GPS), no XMP, no comments, no PNG text chunks. The ICC profile is kept so colours
  stay right. JPEG and WebP are re-encoded at quality 90, so stripped bytes differ.
- PDF, text, audio and video cannot be stripped here: their `stripped` is always False, even
  with `strip_metadata=True`. Audio and video are recognised by their headers, not decoded.
- The PDF active-content check is a cheap byte search: it does not see names inside
  compressed object streams. It catches the common cases; staff still download attachments,
  never view them inline.
- HEIC is refused: Pillow cannot decode it without a new dependency, and keeping an iPhone
  photo we cannot strip would keep its GPS position. iPhone browsers send JPEG to web forms.
"""

import io
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy
from PIL import Image, ImageOps, ImageSequence

MAX_BYTES_DEFAULT = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
MAX_NAME_LENGTH = 100
JPEG_QUALITY = 90

_MB = 1024 * 1024
# How far from the end %%EOF may sit: writers append newlines and some append junk.
_PDF_EOF_WINDOW = 1024
# Image.info keys that carry no personal data but change how the picture looks.
_KEEP_INFO = frozenset({"icc_profile", "transparency", "duration", "loop", "background"})

ALLOWED_DESCRIPTION = gettext_lazy(
    "photos (JPEG, PNG, GIF, WebP), PDF documents, plain text, "
    "audio recordings (MP3, OGG, M4A, WAV, AMR) and videos (MP4, 3GP)"
)


class FileRejected(Exception):
    """An upload we refuse: `message` is a plain sentence for the reporter, `code` for code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CleanFile:
    name: str
    content_type: str
    data: bytes
    size: int
    stripped: bool


@dataclass(frozen=True)
class _Kind:
    content_type: str
    extension: str
    pillow_format: str | None = None  # set for images we decode and can strip


_JPEG = _Kind("image/jpeg", "jpg", "JPEG")
_PNG = _Kind("image/png", "png", "PNG")
_GIF = _Kind("image/gif", "gif", "GIF")
_WEBP = _Kind("image/webp", "webp", "WEBP")
_PDF = _Kind("application/pdf", "pdf")
_TEXT = _Kind("text/plain", "txt")
_MP3 = _Kind("audio/mpeg", "mp3")
_OGG = _Kind("audio/ogg", "ogg")
_M4A = _Kind("audio/mp4", "m4a")
_WAV = _Kind("audio/wav", "wav")
_AMR = _Kind("audio/amr", "amr")
_MP4 = _Kind("video/mp4", "mp4")
_3GP = _Kind("video/3gpp", "3gp")

_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})
_3GP_BRAND_PREFIXES = (b"3gp", b"3gg", b"3ge", b"3gs", b"3g2")
_MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"MSNV",
        b"dash",
    }
)

_ARCHIVE_MAGIC = (
    b"PK\x03\x04",  # zip, and so docx, xlsx, pptx, odt, apk, jar
    b"PK\x05\x06",  # empty zip
    b"PK\x07\x08",  # spanned zip
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"MSCF",  # cab
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: old .doc/.xls, which also carry macros
)
_EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary, or a Java class
    b"#!",  # scripts; checked after AMR, whose header also starts with #!
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}
)
_OLD_EXTENSION = re.compile(r"\.[^\W_]{1,10}$")


def inspect_upload(
    name: str,
    data: bytes,
    *,
    strip_metadata: bool | None = None,
    max_bytes: int = MAX_BYTES_DEFAULT,
) -> CleanFile:
    """Check an upload's size, type and integrity, strip image metadata, and name it safely.

    `strip_metadata`: None strips photos, True strips what we can (images), False keeps bytes.
    """
    if not data:
        raise FileRejected("empty", gettext("This file is empty. Please choose the file again."))
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    kind = _sniff(data)
    stripped = False
    if kind.pillow_format is not None:
        strip = strip_metadata is not False
        data = _check_image(data, kind.pillow_format, strip=strip)
        stripped = strip
    elif kind is _PDF:
        _check_pdf(data)
    return CleanFile(
        name=safe_name(name, kind.extension),
        content_type=kind.content_type,
        data=data,
        size=len(data),
        stripped=stripped,
    )


def safe_name(name: str, extension: str) -> str:
    """Return a name without path, control characters or reserved words, ending `.extension`."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(_name_char(c) for c in base)
    base = " ".join(base.split())
    stem = _OLD_EXTENSION.sub("", base)
    stem = _trim(stem)
    if stem.split(".", 1)[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    stem = _trim(stem[: MAX_NAME_LENGTH - len(extension) - 1]) or "attachment"
    return f"{stem}.{extension}"


def _name_char(char: str) -> str:
    """Keep letters, marks and digits of any script and - _ . ; blank out the rest."""
    if char.isspace():  # tabs and newlines are control characters, but they separate words
        return " "
    category = unicodedata.category(char)
    if category[0] == "C":  # control, format (bidi overrides), surrogates, unassigned
        return ""
    if category[0] in "LMN" or char in "-_.":
        return char
    return " "


def _trim(stem: str) -> str:
    """Drop leading dots (hidden files) and trailing dots and spaces (Windows drops them)."""
    return stem.lstrip(". ").rstrip(". ")


def _sniff(data: bytes) -> _Kind:
    """Decide the type from the content alone."""
    head = data[:16]
    for check in _SNIFFERS:
        if kind := check(data, head):
            return kind
    if data.startswith(_ARCHIVE_MAGIC) or data[257:262] == b"ustar":
        raise FileRejected(
            "archive",
            gettext(
                "Compressed folders (such as ZIP) and Word or Excel files cannot be accepted. "
                "Please save the document as a PDF, or take a photo of it, and send that instead."
            ),
        )
    if not data.startswith(_EXECUTABLE_MAGIC) and _is_text(data):
        return _TEXT
    raise FileRejected(
        "unsupported_type",
        gettext("This type of file cannot be accepted. You can send %(allowed)s.")
        % {"allowed": ALLOWED_DESCRIPTION},
    )


def _sniff_image(data: bytes, head: bytes) -> _Kind | None:
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _WEBP
    return None


def _sniff_document(data: bytes, head: bytes) -> _Kind | None:
    return _PDF if head.startswith(b"%PDF-") else None


def _sniff_audio(data: bytes, head: bytes) -> _Kind | None:
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return _AMR
    if head.startswith(b"OggS"):
        return _OGG
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return _WAV
    if head.startswith(b"ID3") or _is_mp3_frame(head):
        return _MP3
    return None


def _sniff_iso_media(data: bytes, head: bytes) -> _Kind | None:
    """Tell M4A, MP4 and 3GP apart by the major brand of the ftyp box."""
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in _AUDIO_BRANDS:
        return _M4A
    if brand.startswith(_3GP_BRAND_PREFIXES):
        return _3GP
    if brand in _MP4_BRANDS:
        return _MP4
    return None


_SNIFFERS: tuple[Callable[[bytes, bytes], _Kind | None], ...] = (
    _sniff_image,
    _sniff_document,
    _sniff_audio,
    _sniff_iso_media,
)


def _is_mp3_frame(head: bytes) -> bool:
    """Recognise an MPEG audio layer III frame header (a file without an ID3 tag)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate != 0b1111 and sample_rate != 0b11


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise _malformed()
    names = data
    if b"#" in data:
        # PDF names may hide letters as #xx escapes: /J#61vaScript is /JavaScript.
        names = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)
    if _PDF_ACTIVE.search(names):
        raise FileRejected(
            "active_content",
            gettext(
                "This PDF contains scripts or attached files, which we cannot accept. "
                "Please print it to a new PDF, or take photos of the pages, and send that instead."
            ),
        )


def _check_image(data: bytes, pillow_format: str, *, strip: bool) -> bytes:
    """Decode the whole image; return it re-encoded without metadata if `strip`, else as is."""
    # Pillow warns (RuntimeWarning) between its limit and twice it, and raises beyond; make the
    # warning an error so it becomes a rejection. Our own, lower limit is checked after opening.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                _check_pixels(image)
                image.verify()
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                frames = [_loaded(frame) for frame in ImageSequence.Iterator(image)]
                if not strip:
                    return data
                return _reencode(frames, pillow_format)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large_image() from None
        except FileRejected:
            raise
        except Exception:
            # Pillow reports damaged files with many types (OSError, SyntaxError, ValueError,
            # struct.error, EOFError, ...); all mean the same to the reporter.
            raise _malformed() from None


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    # Checked before n_frames, which walks the whole file for GIF.
    if width * height > MAX_PIXELS or width * height * getattr(image, "n_frames", 1) > MAX_PIXELS:
        raise _too_large_image()


def _loaded(frame: Image.Image) -> Image.Image:
    """Decode one frame, turned upright, as a new image that carries no metadata."""
    # exif_transpose decodes the frame and always returns a new image, turned or not; savers read
    # metadata from info (or from save() arguments), so emptying info leaves none to write.
    clean = ImageOps.exif_transpose(frame)
    clean.info = {key: value for key, value in frame.info.items() if key in _KEEP_INFO}
    return clean


def _reencode(frames: list[Image.Image], pillow_format: str) -> bytes:
    first, rest = frames[0], frames[1:]
    options: dict[str, object] = {}
    if icc_profile := first.info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    if pillow_format in ("JPEG", "WEBP"):
        options["quality"] = JPEG_QUALITY
    if rest:
        options.update(save_all=True, append_images=rest)
        options["duration"] = [frame.info.get("duration", 100) for frame in frames]
        options["loop"] = first.info.get("loop", 0)
    out = io.BytesIO()
    first.save(out, format=pillow_format, **options)  # type: ignore[arg-type]
    return out.getvalue()


def _too_large(max_bytes: int) -> FileRejected:
    limit = number_format(max(round(max_bytes / _MB, 1), 0.1), decimal_pos=None)
    if limit.endswith((".0", ",0")):
        limit = limit[:-2]
    return FileRejected(
        "too_large",
        gettext(
            "This file is larger than %(limit)s MB. Please send a smaller file, "
            "for example a shorter recording or a single photo."
        )
        % {"limit": limit},
    )


def _too_large_image() -> FileRejected:
    return FileRejected(
        "too_large_image",
        gettext(
            "This picture is too large to process. Please send a smaller photo or a screenshot."
        ),
    )


def _malformed() -> FileRejected:
    return FileRejected(
        "malformed",
        gettext(
            "This file seems to be damaged and cannot be opened. "
            "Please check it and choose it again, or send a photo of it instead."
        ),
    )
