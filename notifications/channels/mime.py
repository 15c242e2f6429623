"""A message's MIME bytes, written directly: text and HTML as base64 parts, as email.mime does.

`email.mime` builds and then flattens an object tree for every message, and encodes the same
subject again each time: most of an SMTP send's Python time. Here the subject's encoded form is
kept per subject, and a message is its headers and two base64 bodies joined. Addresses that
are not plain ASCII (or that could break a header) are left to `email.mime` by the caller.
"""

from __future__ import annotations

import base64
import secrets
from email.header import Header
from functools import lru_cache

CRLF = b"\r\n"


def plain_header_value(value: str) -> bool:
    """Whether `value` can go into a header as it is (printable ASCII, no line breaks)."""
    return value.isascii() and value.isprintable()


@lru_cache(maxsize=256)
def encoded_subject(subject: str) -> bytes:
    """The Subject header's value as RFC 2047 encoded words, the way email.mime writes it."""
    return str(Header(subject, "utf-8", header_name="Subject").encode()).encode("ascii")


def _part_head(content_type: str) -> bytes:
    return (
        b"Content-Type: " + content_type.encode("ascii") + b'; charset="utf-8"\r\n'
        b"MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n"
    )


def _base64(body: str) -> bytes:
    return base64.encodebytes(body.encode("utf-8")).replace(b"\n", CRLF)


def message_bytes(
    *, headers: list[tuple[str, str]], subject: str, text: str, html: str | None
) -> bytes:
    """The whole message: `headers` (plain values) and Subject, then text (and HTML) parts."""
    head = b"".join(f"{name}: {value}\r\n".encode("ascii") for name, value in headers)
    head += b"Subject: " + encoded_subject(subject) + CRLF
    if html is None:
        return _part_head("text/plain") + head + CRLF + _base64(text)
    # base64 never holds "-", so the boundary line cannot occur inside a part.
    boundary = f"==============={secrets.randbelow(10**19):019d}==".encode("ascii")
    marker = b"--" + boundary + CRLF
    return b"".join(
        (
            b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n',
            b"MIME-Version: 1.0\r\n",
            head,
            CRLF,
            marker,
            _part_head("text/plain") + CRLF + _base64(text),
            marker,
            _part_head("text/html") + CRLF + _base64(html),
            b"--" + boundary + b"--" + CRLF,
        )
    )
