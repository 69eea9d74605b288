"""Quality documents and photos: files are checked by their bytes and stored by SHA-256; an
expired document marks the product."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterator
from datetime import date

import pytest

from sunlit.catalog.model import (
    Inspection,
    InspectionKind,
    QualityStatus,
    quality_status,
    valid_through,
)
from sunlit.core.files.model import DOCUMENTS, PICTURES, Upload, check_upload, sniff
from sunlit.demo.documents import demo_certificate_pdf
from sunlit.settings import Settings
from tests.support import LiveServer, live_server
from tests.test_catalog_api import api_as
from tests.test_web import client, load_demo_into

PDF = demo_certificate_pdf("Test certificate", ["line one", "line (two)"])


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x2e\x7d\x32" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_files_are_known_by_their_bytes_not_their_names() -> None:
    assert sniff(PDF) == "application/pdf"
    assert sniff(png()) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"MZ\x90\x00 an executable named photo.jpg") is None
    assert check_upload(Upload(PDF, "x.pdf"), DOCUMENTS, 10_000) is None
    assert check_upload(Upload(PDF, "x.jpg"), PICTURES, 10_000) is not None  # a PDF is no photo
    assert check_upload(Upload(b"", "x.pdf"), DOCUMENTS, 10_000) is not None
    assert check_upload(Upload(PDF, "x.pdf"), DOCUMENTS, 100) is not None  # too large


def test_quality_status_and_validity_through_a_window() -> None:
    doc = Inspection(
        InspectionKind.COMPLIANCE_CERTIFICATE, "站", date(2026, 1, 1), date(2026, 6, 30), "0" * 64
    )
    assert quality_status([], date(2026, 3, 1)) is QualityStatus.MISSING
    assert quality_status([doc], date(2026, 3, 1)) is QualityStatus.VALID
    assert quality_status([doc], date(2026, 7, 1)) is QualityStatus.EXPIRED
    assert valid_through([doc], date(2026, 6, 29), date(2026, 6, 30))
    assert not valid_through([doc], date(2026, 6, 30), date(2026, 7, 1))  # expires mid-window


@pytest.fixture
def small_uploads(settings: Settings) -> Iterator[LiveServer]:
    with live_server(settings.model_copy(update={"max_upload_bytes": 4096})) as server:
        load_demo_into(server)
        yield server


def test_uploading_documents_and_photos(small_uploads: LiveServer) -> None:
    server = small_uploads
    with api_as(server, "farmer.dangshan") as farmer, api_as(server, "farmer.xuwen") as other:
        pears = farmer.get("/api/v1/products", params={"q": "砀山"}).json()[0]["id"]
        form = {
            "kind": "inspection_report",
            "issuer": "宿州市农产品质量检测中心",
            "issued_on": "2026-02-20",
            "expires_on": "2026-08-20",
        }
        url = f"/api/v1/products/{pears}/inspections"
        made = farmer.post(url, data=form, files={"file": ("report.pdf", PDF, "application/pdf")})
        assert made.status_code == 201, made.text
        assert made.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
        served = farmer.get(made.json()["url"])
        assert served.content == PDF and served.headers["content-type"] == "application/pdf"
        fake = farmer.post(
            url, data=form, files={"file": ("report.pdf", b"MZ\x90 not a pdf", "application/pdf")}
        )
        assert fake.status_code == 422 and "file" in fake.json()["error"]["fields"]
        backwards = farmer.post(
            url,
            data={**form, "expires_on": "2026-01-01"},
            files={"file": ("r.pdf", PDF, "application/pdf")},
        )
        assert backwards.status_code == 422
        assert "expires_on" in backwards.json()["error"]["fields"]
        big = farmer.post(
            url, data=form, files={"file": ("big.pdf", PDF + b"0" * 5000, "application/pdf")}
        )
        assert big.status_code == 422
        assert "4096" not in big.json()["error"]["fields"]["file"]  # said in MB, not bytes
        assert (
            other.post(
                url, data=form, files={"file": ("r.pdf", PDF, "application/pdf")}
            ).status_code
            == 403
        )
        huge = farmer.post(
            url,
            data=form,
            files={"file": ("huge.pdf", b"%PDF-" + b"0" * 1_100_000, "application/pdf")},
        )
        assert huge.status_code == 413
        # Refused unread: the server closes the connection, and says so, so that the client's
        # next request goes down a new one (it did not, under granian, before it said so).
        assert huge.headers["connection"] == "close"
        photo = farmer.post(
            f"/api/v1/products/{pears}/photos", files={"file": ("pears.png", png(), "image/png")}
        )
        assert photo.status_code == 201
        detail = farmer.get(f"/api/v1/products/{pears}").json()
        assert detail["quality"] == "valid"
        assert [d["kind"] for d in detail["documents"]] == [  # the longest-valid first
            "compliance_certificate",
            "inspection_report",
        ]
        assert detail["photos"] == [photo.json()["url"]]
    with client(server, "en") as c:
        page = c.get(f"/products/{pears}").text
        assert f'src="{photo.json()["url"]}"' in page and "Quality documents valid" in page


def test_an_expired_certificate_marks_the_product(served: LiveServer) -> None:
    with client(served, "en") as c:
        berries = c.get("/api/v1/products", params={"q": "Majiang"}).json()[0]["id"]
        assert c.get(f"/api/v1/products/{berries}").json()["quality"] == "expired"
        assert "Quality documents expired" in c.get(f"/products/{berries}").text
        assert "Quality documents expired" in c.get("/products").text
