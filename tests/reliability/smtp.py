"""A small SMTP server for the reliability tests, on a thread of the test process.

It speaks just enough SMTP for Django's SMTP backend (smtplib), keeps every message
it accepted, and can be told to misbehave the way real mail servers do:

- `fail_next(*replies)`: the next messages are refused at the end of DATA, one reply
  each: "451" answers "451 4.3.0 try again later", "drop" closes the connection
  without an answer. Either way the message was not accepted.
- `hold_next(after=n)`: the session of the next message but n stops after MAIL FROM,
  before the server has accepted anything, until `release()`; `holding` is set
  meanwhile, so a test knows the sender is in the middle of a send.

Python's smtpd module is gone from 3.12 and aiosmtpd is not installed; this is the
hundred lines we need.
"""

import email
import email.policy
import socket
import socketserver
import threading
import time
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str


class SmtpServer:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.refused = 0  # messages answered with a failure
        self.holding = threading.Event()
        self._release = threading.Event()
        self._hold_after: int | None = None
        self._failures: list[str] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="smtp-server", daemon=True
        )

    def start(self) -> "SmtpServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    # What a test sets up --------------------------------------------------------

    def fail_next(self, *replies: str) -> None:
        with self._lock:
            self._failures.extend(replies)

    def hold_next(self, *, after: int = 0) -> None:
        with self._lock:
            self._hold_after = after
            self.holding.clear()
            self._release.clear()

    def release(self) -> None:
        self._release.set()

    # What a test reads ----------------------------------------------------------

    def received(self) -> list[Received]:
        with self._lock:
            return list(self.messages)

    def count_by_recipient_and_subject(self) -> Counter:
        return Counter((recipient, message.subject) for message in self.received() for recipient in message.recipients)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received()) < count:
            if time.monotonic() > deadline:
                got = len(self.received())
                raise AssertionError(f"The SMTP server received {got} messages in {timeout} s, not {count}")
            time.sleep(0.05)
        return self.received()

    # Used by the sessions -------------------------------------------------------

    def _take_hold(self) -> bool:
        with self._lock:
            if self._hold_after is None:
                return False
            if self._hold_after > 0:
                self._hold_after -= 1
                return False
            self._hold_after = None
            return True

    def _take_failure(self) -> str | None:
        with self._lock:
            if self._failures:
                self.refused += 1
                return self._failures.pop(0)
            return None

    def _accept(self, sender: str, recipients: list[str], data: bytes) -> None:
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        received = Received(
            sender=sender,
            recipients=tuple(recipients),
            subject=str(parsed.get("Subject", "")),
            body=body.get_content() if body is not None else "",
        )
        with self._lock:
            self.messages.append(received)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SmtpServer


class _Session(socketserver.StreamRequestHandler):
    timeout = 60  # a client that vanished without closing its socket

    def handle(self) -> None:
        server: SmtpServer = self.server.owner
        sender, recipients = "", []
        try:
            self._reply("220 reliability.test ESMTP")
            while line := self.rfile.readline():
                command = line.decode("ascii", "replace").strip()
                verb = command[:4].upper()
                if verb == "EHLO":
                    self._reply("250-reliability.test", "250 8BITMIME")
                elif verb == "HELO":
                    self._reply("250 reliability.test")
                elif verb == "MAIL":
                    if server._take_hold():
                        server.holding.set()
                        server._release.wait(timeout=120)
                    sender, recipients = _address(command), []
                    self._reply("250 2.1.0 OK")
                elif verb == "RCPT":
                    recipients.append(_address(command))
                    self._reply("250 2.1.5 OK")
                elif verb == "DATA":
                    self._reply("354 End data with <CR><LF>.<CR><LF>")
                    data = self._read_data()
                    failure = server._take_failure()
                    if failure == "drop":
                        return
                    if failure:
                        self._reply("451 4.3.0 Temporary failure, try again later")
                    else:
                        server._accept(sender, recipients, data)
                        self._reply("250 2.0.0 Accepted")
                elif verb in ("RSET", "NOOP"):
                    self._reply("250 2.0.0 OK")
                elif verb == "QUIT":
                    self._reply("221 2.0.0 Bye")
                    return
                else:
                    self._reply("502 5.5.2 Command not implemented")
        except (OSError, socket.timeout):
            return  # the client died (the tests kill workers on purpose)

    def _reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode("ascii"))
        self.wfile.flush()

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


def _address(command: str) -> str:
    _, _, rest = command.partition(":")
    return rest.strip().split(" ")[0].strip("<>")
