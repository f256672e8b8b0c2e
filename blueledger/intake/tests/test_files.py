"""Uploads from reporters: a corpus of bad files built in code, and the good ones that must pass."""

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import unicodedata
import warnings
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageSequence
from PIL.PngImagePlugin import PngInfo

from blueledger.intake.files import (
    ALLOWED_DESCRIPTION,
    MAX_BYTES_DEFAULT,
    CleanFile,
    FileRejected,
    inspect_upload,
    safe_name,
)

CANARY = "CANARY-GPS-9d41"
RED = (255, 0, 0)
BLUE = (0, 0, 255)
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def rejected(name: str, data: bytes, **kwargs: object) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        inspect_upload(name, data, **kwargs)  # type: ignore[arg-type]
    return info.value


def two_colour_image(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Left half red, right half blue: shows where the picture was turned."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def jpeg(image: Image.Image | None = None, **save: object) -> bytes:
    out = io.BytesIO()
    (image or two_colour_image()).save(out, "JPEG", quality=95, **save)
    return out.getvalue()


def png(image: Image.Image | None = None, **save: object) -> bytes:
    out = io.BytesIO()
    (image or two_colour_image()).save(out, "PNG", **save)
    return out.getvalue()


def phone_photo() -> bytes:
    """A JPEG as a phone takes it: turned sideways in EXIF, with GPS, XMP and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = CANARY
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (4.0, 22.0, 1.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (18.0, 33.0, 2.5),
        ExifTags.GPS.GPSAreaInformation: CANARY,
    }
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{CANARY}</x:xmpmeta>'.encode()
    return jpeg(exif=exif.tobytes(), xmp=xmp, comment=CANARY)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims huge dimensions and holds almost nothing: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb(megabytes: int = 64) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(megabytes):
            member.write(chunk)
    return out.getvalue()


def tarred() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        body = b"statement"
        member = tarfile.TarInfo("statement.txt")
        member.size = len(body)
        archive.addfile(member, io.BytesIO(body))
    return out.getvalue()


def test_empty_file_is_rejected() -> None:
    assert rejected("statement.pdf", b"").code == "empty"


def test_file_over_the_limit_is_rejected_naming_the_limit() -> None:
    error = rejected("statement.pdf", PDF, max_bytes=len(PDF) - 1)
    assert error.code == "too_large"
    assert "MB" in error.message


def test_default_limit_is_twenty_megabytes() -> None:
    error = rejected("recording.mp3", b"ID3" + b"\x00" * MAX_BYTES_DEFAULT)
    assert error.code == "too_large"
    assert "20 MB" in error.message


def test_file_at_the_limit_is_accepted() -> None:
    assert inspect_upload("statement.pdf", PDF, max_bytes=len(PDF)).size == len(PDF)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"MZ\x90\x00\x03" + b"\x00" * 200, id="windows-exe"),
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\x00" * 200, id="elf"),
        pytest.param(b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200, id="mach-o"),
        pytest.param(b"#!/bin/sh\necho hello\n", id="shell-script"),
        pytest.param(bytes(range(256)) * 4, id="unknown-binary"),
        pytest.param("Déclaration".encode("latin-1"), id="not-utf8-text"),
        pytest.param("شهادة\x00مخفية".encode(), id="text-with-nul"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", id="heic"),
    ],
)
def test_unsupported_types_are_rejected_listing_what_is_accepted(data: bytes) -> None:
    error = rejected(f"{CANARY}.jpg", data)
    assert error.code == "unsupported_type"
    assert str(ALLOWED_DESCRIPTION) in error.message
    assert CANARY not in error.message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(zipped({"statement.txt": b"hello"}), id="zip"),
        pytest.param(
            zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            id="docx",
        ),
        pytest.param(zipped({}), id="empty-zip"),
        pytest.param(gzip.compress(b"statement"), id="gzip"),
        pytest.param(bz2.compress(b"statement"), id="bzip2"),
        pytest.param(lzma.compress(b"statement"), id="xz"),
        pytest.param(tarred(), id="tar"),
        pytest.param(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32, id="rar"),
        pytest.param(b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 32, id="7z"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, id="old-word-doc"),
    ],
)
def test_archives_are_rejected_asking_for_a_pdf_or_photo(data: bytes) -> None:
    error = rejected("statement.docx", data)
    assert error.code == "archive"
    assert "PDF" in error.message
    assert "photo" in error.message


def test_zip_bomb_is_rejected_without_being_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the upload was decompressed")

    monkeypatch.setattr(zipfile, "ZipFile", forbidden)
    monkeypatch.setattr(zlib, "decompressobj", forbidden)
    monkeypatch.setattr(zlib, "decompress", forbidden)
    assert rejected("evidence.zip", bomb).code == "archive"


def test_truncated_jpeg_is_malformed() -> None:
    data = jpeg(two_colour_image((400, 300)))
    assert rejected("photo.jpg", data[: len(data) // 2]).code == "malformed"


def test_corrupted_png_is_malformed() -> None:
    data = bytearray(png(two_colour_image((200, 100))))
    idat = data.index(b"IDAT")
    data[idat + 10 : idat + 20] = b"\xff" * 10
    assert rejected("photo.png", bytes(data)).code == "malformed"


def test_jpeg_header_alone_is_malformed() -> None:
    assert rejected("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40).code == "malformed"


@pytest.mark.parametrize(
    ("width", "height"),
    [
        pytest.param(8_000, 7_000, id="over-our-limit"),
        pytest.param(10_000, 10_000, id="over-pillow-warning"),
        pytest.param(100_000, 100_000, id="over-pillow-error"),
    ],
)
def test_decompression_bomb_is_rejected_without_a_warning(width: int, height: int) -> None:
    bomb = png_header(width, height)
    assert len(bomb) < 1024
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error = rejected("photo.png", bomb)
    assert error.code == "too_large_image"
    assert caught == []


def test_phone_photo_loses_gps_and_metadata_by_default() -> None:
    original = phone_photo()
    assert CANARY.encode() in original

    clean = inspect_upload("IMG_0042.JPG", original)

    assert clean.stripped
    assert clean.content_type == "image/jpeg"
    assert CANARY.encode() not in clean.data
    assert b"Exif" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        exif = image.getexif()
        assert not exif
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert "xmp" not in image.info
        assert "comment" not in image.info


def test_phone_photo_is_turned_upright_with_its_pixels_kept() -> None:
    clean = inspect_upload("IMG_0042.JPG", phone_photo())

    with Image.open(io.BytesIO(clean.data)) as image:
        # Orientation 6: the camera was turned; the 40x20 picture shows as 20x40, left half on top.
        assert image.size == (20, 40)
        rgb = image.convert("RGB")
        assert near(rgb.getpixel((10, 5)), RED)
        assert near(rgb.getpixel((10, 35)), BLUE)


def near(pixel: object, colour: tuple[int, int, int]) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


def test_keeping_metadata_keeps_the_bytes_identical() -> None:
    original = phone_photo()
    clean = inspect_upload("IMG_0042.JPG", original, strip_metadata=False)
    assert clean.data == original
    assert not clean.stripped
    assert clean.size == len(original)


def test_png_loses_text_chunks_but_keeps_exact_pixels() -> None:
    info = PngInfo()
    info.add_text("Location", CANARY)
    info.add_itxt("Comment", CANARY)
    image = two_colour_image().convert("RGBA")
    clean = inspect_upload("screenshot.png", png(image, pnginfo=info))

    assert clean.stripped
    assert CANARY.encode() not in clean.data
    with Image.open(io.BytesIO(clean.data)) as result:
        assert result.tobytes() == image.tobytes()
        assert result.mode == "RGBA"


def test_webp_is_accepted_and_stripped() -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CANARY
    two_colour_image().save(out, "WEBP", exif=exif.tobytes())
    clean = inspect_upload("photo", out.getvalue())

    assert (clean.name, clean.content_type, clean.stripped) == ("photo.webp", "image/webp", True)
    assert CANARY.encode() not in clean.data


def test_animated_gif_keeps_its_frames() -> None:
    frames = [Image.new("P", (30, 30), index) for index in range(3)]
    for frame in frames:
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * 759)
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=200, comment=CANARY
    )
    clean = inspect_upload("clip.gif", out.getvalue())

    assert clean.content_type == "image/gif"
    assert CANARY.encode() not in clean.data
    with Image.open(io.BytesIO(clean.data)) as result:
        assert len(list(ImageSequence.Iterator(result))) == 3


def test_good_pdf_is_accepted_unchanged() -> None:
    clean = inspect_upload("statement.pdf", PDF, strip_metadata=True)
    assert clean == CleanFile("statement.pdf", "application/pdf", PDF, len(PDF), stripped=False)


@pytest.mark.parametrize(
    "action",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/OpenAction << /S /JS (x) >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
        b"/Names << /EmbeddedFiles 3 0 R >>",
        b"/Type /EmbeddedFile",
        b"/OpenAction << /S /J#61vaScript >>",
    ],
)
def test_pdf_with_active_content_is_rejected(action: bytes) -> None:
    data = PDF.replace(b"/Type /Catalog", b"/Type /Catalog " + action)
    assert rejected("statement.pdf", data).code == "active_content"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(PDF.replace(b"%%EOF", b""), id="no-eof"),
        pytest.param(PDF[:20], id="truncated"),
        pytest.param(PDF + b"\x00" * 4096, id="eof-far-from-end"),
    ],
)
def test_broken_pdf_is_malformed(data: bytes) -> None:
    assert rejected("statement.pdf", data).code == "malformed"


def test_content_decides_the_type_not_the_name() -> None:
    clean = inspect_upload("photo.jpg", PDF)
    assert (clean.name, clean.content_type) == ("photo.pdf", "application/pdf")


def test_arabic_text_is_accepted() -> None:
    text = "رأيت الجندي عند نقطة التفتيش مساء الثلاثاء.\n".encode()
    clean = inspect_upload("شهادة.txt", text)
    assert clean == CleanFile("شهادة.txt", "text/plain", text, len(text), stripped=False)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        pytest.param(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64, "voice.mp3", "audio/mpeg"),
        pytest.param(b"\xff\xfb\x90\x64" + b"\x00" * 64, "voice.mp3", "audio/mpeg", id="mp3-frame"),
        pytest.param(b"OggS\x00\x02" + b"\x00" * 64, "voice.ogg", "audio/ogg"),
        pytest.param(
            b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + b"\x00" * 32,
            "voice.m4a",
            "audio/mp4",
        ),
        pytest.param(b"#!AMR\n\x3c" + b"\x00" * 31, "voice.amr", "audio/amr"),
        pytest.param(b"#!AMR-WB\n\x44" + b"\x00" * 60, "voice.amr", "audio/amr", id="amr-wb"),
        pytest.param(
            b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b"\x00" * 32,
            "voice.wav",
            "audio/wav",
        ),
        pytest.param(
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00" * 32,
            "video.mp4",
            "video/mp4",
        ),
        pytest.param(
            b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x02\x003gp4" + b"\x00" * 32,
            "video.3gp",
            "video/3gpp",
        ),
    ],
)
def test_audio_and_video_headers_are_accepted(data: bytes, name: str, content_type: str) -> None:
    clean = inspect_upload("recording.bin", data)
    assert (clean.name, clean.content_type, clean.data) == (
        name.replace(name.split(".")[0], "recording"),
        content_type,
        data,
    )
    assert not clean.stripped


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("../../etc/passwd", b"root", "passwd.txt"),
        ("C:\\x\\y.jpg", jpeg(), "y.jpg"),
        ("invoice\u202egpj.exe", PDF, "invoicegpj.pdf"),
        ("..\\..\\.hidden report.pdf", PDF, "hidden report.pdf"),
        ("", PDF, "attachment.pdf"),
        ("////", PDF, "attachment.pdf"),
        ("CON.pdf", PDF, "_CON.pdf"),
        ("lpt1", PDF, "_lpt1.pdf"),
        ("  my\t\nreport  (final) .pdf", PDF, "my report final.pdf"),
        ("صورة الحادث.jpg", jpeg(), "صورة الحادث.jpg"),
        ("a\x00b\x1bc.pdf", PDF, "abc.pdf"),
    ],
)
def test_file_names_are_made_safe(name: str, data: bytes, expected: str) -> None:
    assert inspect_upload(name, data).name == expected


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = inspect_upload("ب" * 300 + ".pdf", PDF).name
    assert len(name) == 100
    assert name.endswith("ب.pdf")


@given(name=st.text(), extension=st.sampled_from(["jpg", "png", "pdf", "txt", "m4a", "3gp"]))
def test_safe_name_is_always_a_plain_short_name(name: str, extension: str) -> None:
    result = safe_name(name, extension)
    assert result
    assert len(result) <= 100
    assert "/" not in result
    assert "\\" not in result
    assert not any(unicodedata.category(char).startswith("C") for char in result)
    assert not result.startswith(".")
    assert result.endswith(f".{extension}")
    assert result.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
