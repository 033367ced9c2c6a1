"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import queue
import re
import socket
from email.message import Message
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler: each message parsed, with its envelope recipients."""

    def __init__(self):
        self.messages: list[Message] = []
        self._arrivals: queue.Queue[Message] = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        self._arrivals.put(message)
        return "250 Message accepted for delivery"

    def next_message(self, timeout: float = 10) -> Message:
        """The next message to arrive, waiting for it (mail is sent in the background)."""
        try:
            return self._arrivals.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no email arrived within {timeout} s") from None


def free_port() -> int:
    """A loopback port nothing listens on: bind a free one, then let it go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self, inbox: Inbox | None = None):
        self.inbox = inbox or Inbox()
        self.port = free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def text_part(message: Message) -> str:
    """The text/plain body of a (possibly multipart) message."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the message has no text/plain part")


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the message has no text/html part")


def link_path(message: Message, prefix: str) -> str:
    """The path of the first link in the text body whose path starts with ``prefix``,
    such as ``"/auth/confirm/"``: what a reader following the link would open."""
    paths = [urlsplit(url).path for url in re.findall(r"https?://\S+", text_part(message))]
    for path in paths:
        if path.startswith(prefix):
            return path
    raise AssertionError(f"the email has no link to {prefix} (links: {paths})")


def subject(message: Message) -> str:
    """The Subject as its reader sees it (a non-ASCII one travels encoded, RFC 2047)."""
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))
