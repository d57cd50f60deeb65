"""Tests for ``specgen_runtime.assets``: sniffing real headers, data URIs, local files.

Every file is built byte by byte here, at the dimensions a test chooses.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
import zlib
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from specgen_runtime.assets import (
    AssetRules,
    Sniffed,
    check_asset,
    decoded_length,
    read_asset,
    sniff,
)
from specgen_runtime.errors import (
    ClientError,
    LocalFileError,
    LocalFileNotFound,
    LocalIsADirectory,
)
from specgen_runtime.violations import ValidationError, Violation

IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/webp": "webp",
}
VIDEO_FORMATS = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-msvideo": "avi",
    "video/avi": "avi",
}
IMAGE = AssetRules("image", IMAGE_FORMATS, 128, 128, (1, 4), (4, 1))
MIB = 1 << 20
VIDEO = AssetRules("video", VIDEO_FORMATS, extra_prefixes=("ssupload:",))

# --- file builders -------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    """A complete PNG: signature, IHDR, an empty IDAT and IEND."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b""))
    return b"\x89PNG\r\n\x1a\n" + chunks + chunk(b"IEND", b"")


def segment(marker: int, body: bytes) -> bytes:
    """A JPEG marker segment; the length counts itself."""
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg(width: int, height: int, icc_bytes: int = 0) -> bytes:
    """SOI, APP1 (Exif), ``icc_bytes`` of APP2 segments, a fill byte, DHT, SOF0,
    SOS, some scan data and EOI."""
    parts = [b"\xff\xd8", segment(0xE1, b"Exif\0\0" + bytes(64))]
    while icc_bytes > 0:
        size = min(icc_bytes, 65000)
        parts.append(segment(0xE2, b"ICC_PROFILE\0" + bytes(size)))
        icc_bytes -= size
    components = bytes([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
    sof = struct.pack(">BHHB", 8, height, width, 3) + components
    parts += [b"\xff", segment(0xC4, bytes(17)), segment(0xC0, sof)]
    parts += [segment(0xDA, bytes([1, 1, 0, 0, 63, 0])), b"\x12\xff\x00\x34\xff\xd9"]
    return b"".join(parts)


def gif(width: int, height: int) -> bytes:
    """A GIF89a header with no colour table, and the trailer."""
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b";"


def riff_chunk(fourcc: bytes, body: bytes) -> bytes:
    """A RIFF chunk, padded to an even length."""
    pad = b"\0" if len(body) % 2 else b""
    return fourcc + struct.pack("<I", len(body)) + body + pad


def riff(form: bytes, body: bytes) -> bytes:
    """A RIFF file of type ``form``."""
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + form + body


def webp_vp8(width: int, height: int) -> bytes:
    """Lossy WebP: a key frame tag, the start code and 14-bit sizes (with
    scaling bits set, which are not part of the size)."""
    tag = struct.pack("<I", 1 << 4 | 10 << 5)[:3]
    sizes = struct.pack("<HH", width | 1 << 14, height | 2 << 14)
    return riff(b"WEBP", riff_chunk(b"VP8 ", tag + b"\x9d\x01\x2a" + sizes + bytes(10)))


def webp_vp8l(width: int, height: int) -> bytes:
    """Lossless WebP: signature, then width-1 and height-1 in 14 bits each."""
    bits = (width - 1) | (height - 1) << 14 | 1 << 28
    return riff(
        b"WEBP", riff_chunk(b"VP8L", b"\x2f" + struct.pack("<I", bits) + bytes(5))
    )


def webp_vp8x(width: int, height: int) -> bytes:
    """Extended WebP: the canvas size (24-bit, minus one) wins over the
    bitstream's."""
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    vp8x = riff_chunk(b"VP8X", b"\x10\0\0\0" + canvas)
    return riff(b"WEBP", vp8x + webp_vp8l(1, 1)[12:])


def box(kind: bytes, body: bytes) -> bytes:
    """An ISO BMFF box with a 32-bit size."""
    return struct.pack(">I", 8 + len(body)) + kind + body


def tkhd(width: int, height: int, version: int) -> bytes:
    """A track header: version 1 has 64-bit times; sizes are 16.16 fixed point."""
    if version == 0:
        times = struct.pack(">IIIII", 1, 2, 1, 0, 1000)
    else:
        times = struct.pack(">QQIIQ", 1, 2, 1, 0, 1000)
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    sizes = struct.pack(">II", width << 16 | 0x8000, height << 16)
    body = bytes([version, 0, 0, 3]) + times + bytes(16) + matrix + sizes
    return box(b"tkhd", body)


def mp4(
    width: int,
    height: int,
    brand: bytes = b"isom",
    version: int = 0,
    late: bool = False,
) -> bytes:
    """ftyp, then moov (an audio track, then the video track) and a 64-bit mdat;
    with ``late``, the mdat comes first."""
    ftyp = box(b"ftyp", brand + bytes(4) + brand + b"mp41")
    audio = box(b"trak", tkhd(0, 0, 0) + box(b"mdia", b""))
    video = box(b"trak", tkhd(width, height, version) + box(b"mdia", b""))
    moov = box(b"moov", box(b"mvhd", bytes(100)) + audio + video)
    mdat = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + 40) + bytes(40)
    return ftyp + (mdat + moov if late else moov + mdat)


def avi(width: int, height: int) -> bytes:
    """RIFF AVI with a JUNK chunk (odd-sized, so padded) before the hdrl list."""
    main = struct.pack("<14I", 33333, 0, 0, 0x10, 1, 0, 1, 0, width, height, 0, 0, 0, 0)
    hdrl = riff_chunk(b"LIST", b"hdrl" + riff_chunk(b"avih", main))
    return riff(
        b"AVI ", riff_chunk(b"JUNK", bytes(3)) + hdrl + riff_chunk(b"LIST", b"movi")
    )


def data_uri(mime: str, data: bytes) -> str:
    """``data:<mime>;base64,<data>``."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def check(value: str, rules: AssetRules = IMAGE) -> tuple[int, list[Violation]]:
    """Run check_asset on ``value``; return its size and the violations."""
    out: list[Violation] = []
    size = check_asset(value, rules, "images[0]", "images", out)
    return size, out


def suffixes(violations: list[Violation] | tuple[Violation, ...]) -> list[str]:
    """The rule ids after their base (``format`` for ``images.format``), in order."""
    return [v.rule.partition(".")[2] for v in violations]


EVERYTHING = ["format", "dimensions", "aspect_ratio", "size"]


SAMPLES = [
    (png(640, 480), Sniffed("png", 640, 480)),
    (jpeg(1920, 1080), Sniffed("jpeg", 1920, 1080)),
    (jpeg(300, 200, icc_bytes=200_000), Sniffed("jpeg", 300, 200)),
    (gif(320, 240), Sniffed("gif", 320, 240)),
    (webp_vp8(1000, 16383), Sniffed("webp", 1000, 16383)),
    (webp_vp8l(16384, 3), Sniffed("webp", 16384, 3)),
    (webp_vp8x(16_777_216, 77), Sniffed("webp", 16_777_216, 77)),
    (mp4(1280, 720), Sniffed("mp4", 1280, 720)),
    (mp4(720, 1280, version=1), Sniffed("mp4", 720, 1280)),
    (mp4(1920, 1080, late=True), Sniffed("mp4", 1920, 1080)),
    (mp4(640, 360, brand=b"qt  "), Sniffed("mov", 640, 360)),
    (avi(352, 288), Sniffed("avi", 352, 288)),
    (b"BM" + bytes(12) + struct.pack("<Iii", 40, 50, -60), Sniffed("bmp", 50, 60)),
    (box(b"ftyp", b"heic" + bytes(4) + b"mif1heic"), Sniffed("heic", None, None)),
    (box(b"ftyp", b"mif1" + bytes(4) + b"mif1avif"), Sniffed("avif", None, None)),
    (jpeg(300, 0), Sniffed("jpeg", None, None)),  # height set later by DNL
]


# --- sniff ---------------------------------------------------------------------


@pytest.mark.parametrize(("data", "expected"), SAMPLES)
def test_sniff_reads_format_and_dimensions(data: bytes, expected: Sniffed) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(("data", "expected"), [s for s in SAMPLES if len(s[0]) < 9000])
def test_sniff_truncated_gives_a_prefix_of_the_answer(
    data: bytes, expected: Sniffed
) -> None:
    for cut in range(len(data)):
        found = sniff(data[:cut])
        assert found.format in (None, expected.format)
        assert (found.width, found.height) in (
            (None, None),
            (expected.width, expected.height),
        )


@pytest.mark.parametrize("sample", [b"", *(s[0][:40] for s in SAMPLES)])
@given(tail=st.binary(max_size=200))
def test_sniff_never_raises_on_garbage(sample: bytes, tail: bytes) -> None:
    for cut in (0, 4, 12, 16, 24, 32, 40):
        assert isinstance(sniff(sample[:cut] + tail), Sniffed)


# --- check_asset -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mime", "data", "rules"),
    [
        ("image/png", png(1024, 768), IMAGE),
        ("image/jpeg", jpeg(128, 512), IMAGE),
        ("image/jpg", jpeg(512, 128), IMAGE),
        ("image/webp", webp_vp8(300, 300), IMAGE),
        ("IMAGE/PNG", png(128, 128), IMAGE),
        ("video/mp4", mp4(1280, 720), VIDEO),
        ("video/quicktime", mp4(1280, 720, brand=b"qt  "), VIDEO),
        ("video/avi", avi(640, 480), VIDEO),
    ],
)
def test_valid_data_uri_returns_its_size(
    mime: str, data: bytes, rules: AssetRules
) -> None:
    assert check(data_uri(mime, data), rules) == (len(data), [])


@pytest.mark.parametrize(
    "value", ["https://x.test/a.png", "http://x", "ssupload:abc123", "https://"]
)
def test_urls_and_extra_prefixes_pass_unexamined(value: str) -> None:
    assert check(value, VIDEO) == (0, [])


def test_evolved_rules_recompute_the_accepted_prefixes() -> None:
    plain = attrs.evolve(VIDEO, extra_prefixes=())
    assert suffixes(check("ssupload:abc", plain)[1]) == ["encoding"]


@pytest.mark.parametrize(
    ("mime", "data", "message"),
    [
        ("image/png", jpeg(200, 200), "declared image/png but the data is jpeg"),
        (
            "image/gif",
            gif(200, 200),
            "image/gif is not an accepted image format: accepted png, jpeg, webp",
        ),
        (
            "image/png",
            b"hello" * 9,
            "declared image/png but the data is not a recognised image format",
        ),
    ],
)
def test_format_violations(mime: str, data: bytes, message: str) -> None:
    _, out = check(data_uri(mime, data))
    assert out == [Violation("error", "images[0]", "images.format", message)]


DIMENSIONS = "image is {}x{} pixels: at least 128x128 required"
ASPECT = "image aspect ratio {}:{} is outside 1:4 to 4:1"


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (128, 128, None),
        (127, 128, DIMENSIONS),
        (128, 127, DIMENSIONS),
        (128, 512, None),
        (128, 513, ASPECT),
        (512, 128, None),
        (513, 128, ASPECT),
    ],
)
def test_dimension_and_aspect_boundaries(
    width: int, height: int, message: str | None
) -> None:
    _, out = check(data_uri("image/webp", webp_vp8x(width, height)))
    assert [v.message for v in out] == (
        [message.format(width, height)] if message else []
    )


def test_every_violation_is_reported() -> None:
    rules = AssetRules("image", IMAGE_FORMATS, 128, 128, (1, 4), (4, 1), 50)
    size, out = check(data_uri("image/jpeg", png(100, 1000)), rules)
    assert suffixes(out) == EVERYTHING
    assert size == len(png(100, 1000))
    assert all(v.field == "images[0]" and v.severity == "error" for v in out)


def padded(size: int) -> bytes:
    """A valid 200x200 PNG padded with zeros to exactly ``size`` bytes."""
    data = png(200, 200)
    return data + bytes(size - len(data))


@pytest.mark.parametrize(
    ("most", "below", "size", "ok"),
    [
        (1000, None, 998, True),
        (1000, None, 999, True),
        (1000, None, 1000, True),
        (1000, None, 1001, False),
        (None, 1000, 999, True),
        (None, 1000, 1000, False),
    ],
)
def test_size_limit_boundaries(
    most: int | None, below: int | None, size: int, ok: bool
) -> None:
    rules = AssetRules(
        "image", IMAGE_FORMATS, max_file_bytes=most, decoded_bytes_below=below
    )
    returned, out = check(data_uri("image/png", padded(size)), rules)
    assert returned == size
    assert suffixes(out) == ([] if ok else ["size"])


def test_size_message_in_mib() -> None:
    rules = AssetRules("video", VIDEO_FORMATS, max_file_bytes=10 * 2**20)
    data = mp4(640, 480) + bytes(11 * 2**20)
    _, out = check(data_uri("video/mp4", data), rules)
    assert out[0].message == (
        f"video is {len(data):,} bytes (11.00 MiB):"
        " at most 10,485,760 bytes (10.00 MiB) allowed"
    )


@pytest.mark.parametrize(
    "value",
    [
        "ftp://x.test/a.png",
        "/tmp/a.png",
        "",
        "data:image/png,iVBORw0K",
        "data:image/png;charset=x,AAAA",
        "data:;base64,AAAA",
        "data:image/png;base64,",
        "data:image/png;base64" + "A" * 1000,
        "data:image/png;base64,@@@@",
        "data:image/png;base64,iVBORw0KGgo=AAAA",
        "data:image/png;base64,AAAAé===",
    ],
)
def test_encoding_violations(value: str) -> None:
    _, out = check(value)
    assert "encoding" in suffixes(out)


def test_not_a_url_message() -> None:
    _, out = check("ftp://x", VIDEO)
    assert out[0].message == (
        "must be an http(s) URL, a ssupload: reference or a data:<mime>;base64, URI,"
        " got 'ftp://x'"
    )
    https_only = AssetRules("image", IMAGE_FORMATS, url_schemes=("https",))
    _, out = check("http://x", https_only)
    assert out[0].message.startswith("must be a https URL or a data:<mime>;base64, URI")


def test_truncated_payload_is_reported_with_the_other_checks() -> None:
    value = data_uri("image/png", png(100, 100))[:-1]
    _, out = check(value)
    assert suffixes(out) == ["encoding", "dimensions"]


@pytest.mark.parametrize(
    ("tail", "found"),
    [("!" * 2_000_000 + "AAAA", []), ("A" * 2_000_000 + "A===", ["encoding"])],
)
def test_only_the_head_and_the_last_quantum_are_decoded(
    tail: str, found: list[str]
) -> None:
    """Invalid base64 between the head and the last 4 characters goes unseen."""
    head = data_uri("image/png", padded(3072))  # more than a PNG's head needs
    assert suffixes(check(head + tail)[1]) == found


@pytest.mark.parametrize(("icc", "found"), [(200_000, True), (1_100_000, False)])
def test_jpeg_frame_behind_large_metadata(icc: int, found: bool) -> None:
    _, out = check(data_uri("image/jpeg", jpeg(100, 100, icc_bytes=icc)))
    assert suffixes(out) == (["dimensions"] if found else [])


@given(st.text(max_size=300))
def test_garbage_never_raises(text: str) -> None:
    for value in (text, "data:" + text, "data:image/png;base64," + text):
        size, out = check(value)
        assert size >= 0
        assert all(v.rule.startswith("images.") for v in out)


@given(st.binary(max_size=300), st.sampled_from(["image/png", "image/jpeg", "x/y"]))
def test_any_bytes_never_raise(data: bytes, mime: str) -> None:
    size, _ = check(data_uri(mime, data))
    assert size == len(data)


# --- decoded_length -------------------------------------------------------------


DECODED = {"": 0, "AA==": 1, "AAA=": 2, "AAAA": 3, "AAAAAA==": 4, "AA": 1, "AAA": 2}


@pytest.mark.parametrize(("text", "size"), DECODED.items())
def test_decoded_length_cases(text: str, size: int) -> None:
    assert decoded_length(text) == size


@given(st.binary(max_size=600))
def test_decoded_length_matches_decoding(data: bytes) -> None:
    text = base64.b64encode(data).decode()
    assert decoded_length(text) == len(base64.b64decode(text)) == len(data)
    assert decoded_length(text.rstrip("=")) == len(data)


# --- read_asset -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (png(300, 200), "image/png"),
        (jpeg(300, 200), "image/jpeg"),
        (webp_vp8l(200, 200), "image/webp"),
    ],
)
def test_read_asset_round_trips(tmp_path: Path, data: bytes, mime: str) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(data)
    uri = read_asset(path, IMAGE, str(path))
    assert uri.startswith(f"data:{mime};base64,")
    assert binascii.a2b_base64(uri.partition(",")[2], strict_mode=True) == data
    assert check(uri) == (len(data), [])


def test_read_asset_reports_every_violation(tmp_path: Path) -> None:
    path = tmp_path / "b.gif"
    path.write_bytes(gif(100, 1000) + bytes(2000))
    rules = AssetRules("image", IMAGE_FORMATS, 128, 128, (1, 4), (4, 1), 1000)
    with pytest.raises(ValidationError) as info:
        read_asset(str(path), rules, str(path))
    violations = info.value.violations
    assert [v.rule for v in violations] == [f"image.{rule}" for rule in EVERYTHING]
    assert violations[0].message == (
        "gif is not an accepted image format: accepted png, jpeg, webp"
    )
    assert all(v.field == str(path) for v in violations)


def test_read_asset_unrecognised_file(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_bytes(b"just text")
    with pytest.raises(ValidationError, match="not a recognised image format"):
        read_asset(path, IMAGE, "c.txt")


def test_read_asset_io_errors_pass_through(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_asset(tmp_path / "missing.png", IMAGE, "missing.png")


def test_a_missing_file_is_a_client_error_and_a_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "missing.png"
    with pytest.raises(LocalFileNotFound) as info:
        read_asset(path, IMAGE, "missing.png")
    assert isinstance(info.value, ClientError | FileNotFoundError)
    assert info.value.filename == str(path)
    assert str(info.value).startswith(f"cannot read {path}: ")


def test_a_folder_is_a_client_error_and_an_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(LocalIsADirectory) as info:
        read_asset(tmp_path, IMAGE, "images[0]")
    assert isinstance(info.value, ClientError | IsADirectoryError)
    assert str(info.value) == f"cannot read {tmp_path}: is a folder, not a file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    """Opening a FIFO nobody writes to would block: it is refused from stat()."""
    path = tmp_path / "pipe.png"
    os.mkfifo(path)
    with pytest.raises(LocalFileError, match="is not a regular file"):
        read_asset(path, IMAGE, "pipe.png")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads any file",
)
def test_an_unreadable_file_is_a_permission_error(tmp_path: Path) -> None:
    path = tmp_path / "secret.png"
    path.write_bytes(png(300, 200))
    path.chmod(0)
    with pytest.raises(PermissionError) as info:
        read_asset(path, IMAGE, "secret.png")
    assert isinstance(info.value, LocalFileError)


def test_a_file_over_the_limit_fails_from_its_size(tmp_path: Path) -> None:
    """A 1 GiB file (sparse: nothing is written) is refused from stat(), with
    the other violations its head shows."""
    path = tmp_path / "huge.png"
    with path.open("wb") as file:
        file.write(png(64, 64))
        file.truncate(1 << 30)
    rules = attrs.evolve(IMAGE, max_file_bytes=50 * MIB)
    with pytest.raises(ValidationError) as info:
        read_asset(path, rules, "huge.png")
    assert suffixes(info.value.violations) == ["dimensions", "size"]
    assert info.value.violations[1].message == (
        "image is 1,073,741,824 bytes (1024.00 MiB): at most 52,428,800 bytes "
        "(50.00 MiB) allowed"
    )


def test_without_a_size_rule_reading_still_stops(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as file:
        file.write(png(300, 200))
        file.truncate((1 << 30) + 1)
    with pytest.raises(ValidationError, match="at most 1,073,741,824 bytes"):
        read_asset(path, IMAGE, "huge.png")


@pytest.mark.parametrize("extra", [0, 1, 2, 3 * 65536 * 3 + 1])
def test_a_file_of_many_chunks_round_trips(tmp_path: Path, extra: int) -> None:
    data = png(300, 200) + os.urandom(700_000 + extra)
    path = tmp_path / "big.png"
    path.write_bytes(data)
    uri = read_asset(path, IMAGE, "big.png")
    assert uri == data_uri("image/png", data)


def test_a_file_name_is_told_to_use_the_reader() -> None:
    out: list[Violation] = []
    check_asset("./bear.png", IMAGE, "images[0]", "images", out, "vidu.Image.from_path")
    assert out[0].message.endswith(
        "; to send a local file, use vidu.Image.from_path('./bear.png')"
    )
    out.clear()
    check_asset(
        "ftp://x/bear.png", IMAGE, "images[0]", "images", out, "vidu.Image.from_path"
    )
    assert "from_path" not in out[0].message


@pytest.mark.parametrize(
    "value",
    ["HTTPS://EXAMPLE.COM/A.PNG", "Http://example.com/a.png", "hTtPs://x/y"],
)
def test_a_url_scheme_is_case_insensitive(value: str) -> None:
    """RFC 3986, section 3.1: a scheme is compared without regard to case."""
    assert check(value) == (0, [])


@pytest.mark.parametrize("value", ["HTTPS:/x", "HTTPSX://x", "FTP://x", "HTTPS:"])
def test_other_strings_with_an_upper_case_scheme_are_not_urls(value: str) -> None:
    _, out = check(value)
    assert suffixes(out) == ["encoding"]


@given(
    st.integers(0, 5000),
    st.integers(0, 5000),
    st.integers(0, 400),
    st.sampled_from(["image/png", "image/jpeg", "IMAGE/PNG", "image/gif"]),
    st.sampled_from(["", "=", "A", "@"]),
)
def test_the_quick_path_agrees_with_the_full_check(
    width: int, height: int, pad: int, mime: str, tail: str
) -> None:
    """check_asset takes a quick path for a plainly sound data URI: it accepts
    only what the full check (a report of every violation) finds nothing
    wrong with, and what it read of a URI it does not accept leads to the
    full check's report."""
    from specgen_runtime.assets import _check_data_uri, _Report, _sound_data_uri

    value = data_uri(mime, png(width, height) + bytes(pad)) + tail
    full: list[Violation] = []
    size = _check_data_uri(_Report(IMAGE, "images[0]", "images", full), value)
    quick = _sound_data_uri(value, IMAGE)
    assert quick is None or isinstance(quick, tuple) or (quick == size and not full)
    assert isinstance(quick, int) or quick is None or full
    assert check(value) == (size, full)
    plainly = mime == "image/png" and len(value.partition(",")[2]) >= 132
    if full == [] and plainly:
        assert quick == size  # the quick path is the one taken
