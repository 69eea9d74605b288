"""A small, valid PDF for each demo product's certificate, marked as demo data. Built here so
that the demo ships no binary files."""

from __future__ import annotations


def demo_certificate_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF showing ``title`` and ``lines`` (ASCII) in Helvetica."""
    text = [f"BT /F1 18 Tf 60 760 Td ({_escape(title)}) Tj ET"]
    for number, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 60 {730 - 18 * number} Td ({_escape(line)}) Tj ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _escape(text: str) -> str:
    ascii_only = text.encode("ascii", "replace").decode("ascii")
    return ascii_only.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
