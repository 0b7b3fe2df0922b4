"""E-mail over SMTP (aiosmtplib). ``message.address`` is the recipient; the subject is
``params["subject"]`` or the text's first line; the body is the text, UTF-8.

The ``Message-ID`` is derived from the idempotency key (and the key travels in
``X-Gridcase-Idempotency-Key``), so a message sent again after a crash between
sending and recording it can be recognised as the same one by the recipient's
mail system and by anyone reading the mailbox."""

from __future__ import annotations

import re
import ssl
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from gridcase_events.kit.clock import Clock, SystemClock
from notify.channels.base import Message, PermanentSendError, RetryableSendError, SendResult

IDEMPOTENCY_HEADER = "X-Gridcase-Idempotency-Key"
MAX_SUBJECT = 120
_MESSAGE_IDS = uuid.UUID("8f0c5b0e-6a55-4a8e-9a59-2f3c1d7e4b10")  # namespace of our ids


def message_id(idempotency_key: str, *, sender: str) -> str:
    """The ``Message-ID`` of the e-mail sent under `idempotency_key`: the same key
    gives the same id, in the sender's domain."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "gridcase.invalid"
    return f"<{uuid.uuid5(_MESSAGE_IDS, idempotency_key)}@{domain}>"


def subject_of(message: Message) -> str:
    subject = message.params.get("subject")
    if not subject:
        subject = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    subject = " ".join(str(subject).split())  # no header injection through line breaks
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"


def _refusal(code: int, text: str, *, address: str) -> Exception:
    """SMTP 4xx is "try again later", 5xx is "never". The server's text often repeats
    the recipient, which stays out of errors (they end up in logs and records)."""
    redacted = re.sub(re.escape(address), "***", text, flags=re.IGNORECASE)
    reason = f"SMTP server answered {code}: {redacted[:200]}"
    if 400 <= code < 500:
        return RetryableSendError(reason)
    return PermanentSendError(reason)


class EmailChannel:
    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_tls: bool = False,
        timeout: float = 10.0,
        clock: Clock | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """`tls_context` (optional) is the TLS configuration for STARTTLS or implicit
        TLS, e.g. one that trusts a private CA; by default the system's CAs are used
        and the server's certificate must match `host`."""
        if starttls and use_tls:
            raise ValueError("choose STARTTLS or implicit TLS, not both")
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._use_tls = use_tls
        self._timeout = timeout
        self._clock = clock or SystemClock()
        self._tls_context = tls_context

    @property
    def host(self) -> str:
        """The SMTP server: the endpoint a circuit breaker keys on."""
        return self._host

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = message.address
        mail["Subject"] = subject_of(message)
        mail["Date"] = format_datetime(self._clock.now())
        mail["Message-ID"] = message_id(message.idempotency_key, sender=self._sender)
        mail[IDEMPOTENCY_HEADER] = message.idempotency_key
        mail.set_content(message.text, charset="utf-8")
        return mail

    async def send(self, message: Message) -> SendResult:
        try:
            mail = self.compose(message)
        except (ValueError, TypeError, IndexError) as exc:
            raise PermanentSendError(f"cannot compose the e-mail: {type(exc).__name__}") from exc
        try:
            await aiosmtplib.send(
                mail,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                use_tls=self._use_tls,
                timeout=self._timeout,
                tls_context=self._tls_context,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients] or [550]
            text = exc.recipients[0].message if exc.recipients else ""
            raise _refusal(min(codes), text, address=message.address) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _refusal(exc.code, exc.message, address=message.address) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            # timeouts, refused or dropped connections, TLS handshakes that fail
            raise RetryableSendError(f"SMTP server unreachable: {type(exc).__name__}") from exc
        return SendResult(provider_ref=mail["Message-ID"])

    async def close(self) -> None:
        """Nothing to release: each send opens and closes its own SMTP session."""
