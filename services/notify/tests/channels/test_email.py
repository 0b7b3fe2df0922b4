"""E-mail against a real SMTP server (aiosmtpd) started by the test on a free port."""

import datetime
import email
import email.policy
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import free_port
from notify.channels.base import Message, PermanentSendError, RetryableSendError
from notify.channels.email import EmailChannel

SENDER = "gridcase 通知 <notify@grid.example.org>"


@dataclass
class Mailbox:
    """An aiosmtpd handler: keeps what it accepts; answers RCPT or DATA as scripted."""

    received: list[Any] = field(default_factory=list)
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(envelope)
        return "250 2.0.0 Ok: queued"


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller.hostname, controller.port, mailbox)
    finally:
        controller.stop()


@pytest.fixture
def channel(smtp_server: SmtpServer, clock: ManualClock) -> EmailChannel:
    return EmailChannel(
        host=smtp_server.host, port=smtp_server.port, sender=SENDER, timeout=5.0, clock=clock
    )


def mail(key: str = "evt-1:gm111a:email", **params: Any) -> Message:
    return Message(
        idempotency_key=key,
        address="li.lei@jie.example.org",
        template_id="GC_CASE_ASSIGNED",
        params=params,
        text="新案件 GC-20261121-AAAAAA 已派给您\n\n地址:幸福里3栋,垃圾满溢,请及时处理。",
    )


def parsed(envelope: Any) -> Any:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


async def test_the_recipient_gets_a_utf8_mail_with_a_stable_message_id(
    channel: EmailChannel, smtp_server: SmtpServer
) -> None:
    result = await channel.send(mail())
    await channel.send(mail(subject="督办通知"))
    await channel.send(mail(key="evt-2:gm111a:email"))

    assert channel.name == "email"
    first, second, third = smtp_server.mailbox.received
    assert first.mail_from == "notify@grid.example.org"
    assert first.rcpt_tos == ["li.lei@jie.example.org"]
    received = parsed(first)
    assert received["To"] == "li.lei@jie.example.org"
    assert received["From"] == SENDER
    assert received["Subject"] == "新案件 GC-20261121-AAAAAA 已派给您"
    assert received.get_content_type() == "text/plain"
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().strip().endswith("地址:幸福里3栋,垃圾满溢,请及时处理。")
    assert received["X-Gridcase-Idempotency-Key"] == "evt-1:gm111a:email"
    assert received["Date"] == "Sat, 21 Nov 2026 02:00:00 +0000"
    message_id = received["Message-ID"]
    assert message_id.startswith("<") and message_id.endswith("@grid.example.org>")
    assert result.provider_ref == message_id

    # the same idempotency key gives the same Message-ID (a resend is recognisable)
    assert parsed(second)["Message-ID"] == message_id
    assert parsed(second)["Subject"] == "督办通知"
    assert parsed(third)["Message-ID"] != message_id


async def test_line_breaks_cannot_inject_headers(
    channel: EmailChannel, smtp_server: SmtpServer
) -> None:
    await channel.send(mail(subject="催办\r\nBcc: someone@else.example.org"))

    received = parsed(smtp_server.mailbox.received[0])
    assert received["Bcc"] is None
    assert received["Subject"] == "催办 Bcc: someone@else.example.org"


@pytest.mark.parametrize("where", ["rcpt", "data"])
async def test_a_4xx_reply_is_retryable(
    channel: EmailChannel, smtp_server: SmtpServer, where: str
) -> None:
    setattr(smtp_server.mailbox, f"{where}_reply", "451 4.3.0 Mailbox busy, try again later")

    with pytest.raises(RetryableSendError, match="451"):
        await channel.send(mail())

    assert smtp_server.mailbox.received == []


@pytest.mark.parametrize("where", ["rcpt", "data"])
async def test_a_5xx_reply_is_permanent(
    channel: EmailChannel, smtp_server: SmtpServer, where: str
) -> None:
    setattr(
        smtp_server.mailbox, f"{where}_reply", "550 5.1.1 <Li.Lei@jie.example.org>: no such user"
    )

    with pytest.raises(PermanentSendError, match="550") as raised:
        await channel.send(mail())

    assert smtp_server.mailbox.received == []
    assert "li.lei" not in str(raised.value).lower()  # the recipient stays out of error records
    assert "<***>: no such user" in str(raised.value)


async def test_an_address_that_cannot_be_a_header_is_refused_for_good(
    channel: EmailChannel, smtp_server: SmtpServer
) -> None:
    bad = Message(
        idempotency_key="k",
        address="li.lei@jie.example.org\r\nBcc: x@y.example.org",
        template_id="T",
        params={},
        text="新案件",
    )

    with pytest.raises(PermanentSendError, match="cannot compose"):
        await channel.send(bad)

    assert smtp_server.mailbox.received == []


async def test_a_server_that_is_not_there_is_retryable(clock: ManualClock) -> None:
    channel = EmailChannel(
        host="127.0.0.1", port=free_port(), sender=SENDER, timeout=2.0, clock=clock
    )

    with pytest.raises(RetryableSendError, match="unreachable"):
        await channel.send(mail())


def test_starttls_and_implicit_tls_exclude_each_other() -> None:
    with pytest.raises(ValueError, match="STARTTLS"):
        EmailChannel(host="h", port=25, sender=SENDER, starttls=True, use_tls=True)


@dataclass
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1, and a client context that trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gridcase test smtp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return Tls(server=server, client=client)


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    ok = auth_data.login == b"notify" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535


@pytest.fixture
def starttls_server(tls: Tls) -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=tls.server,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        yield SmtpServer(controller.hostname, controller.port, mailbox)
    finally:
        controller.stop()


async def test_starttls_and_login(
    starttls_server: SmtpServer, tls: Tls, clock: ManualClock
) -> None:
    def channel(password: str) -> EmailChannel:
        return EmailChannel(
            host=starttls_server.host,
            port=starttls_server.port,
            sender=SENDER,
            username="notify",
            password=password,
            starttls=True,
            tls_context=tls.client,
            clock=clock,
        )

    await channel("s3cret").send(mail())
    with pytest.raises(PermanentSendError, match="535"):
        await channel("wrong").send(mail())

    [envelope] = starttls_server.mailbox.received
    assert envelope.rcpt_tos == ["li.lei@jie.example.org"]
    assert parsed(envelope)["Subject"] == "新案件 GC-20261121-AAAAAA 已派给您"


async def test_a_server_that_demands_starttls_refuses_plain_text(
    starttls_server: SmtpServer, clock: ManualClock
) -> None:
    plain = EmailChannel(
        host=starttls_server.host, port=starttls_server.port, sender=SENDER, clock=clock
    )

    with pytest.raises(PermanentSendError, match="530"):
        await plain.send(mail())

    assert starttls_server.mailbox.received == []


async def test_implicit_tls(tls: Tls, clock: ManualClock) -> None:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), ssl_context=tls.server)
    controller.start()
    try:
        channel = EmailChannel(
            host=controller.hostname,
            port=controller.port,
            sender=SENDER,
            use_tls=True,
            tls_context=tls.client,
            clock=clock,
        )
        await channel.send(mail())
        untrusting = EmailChannel(
            host=controller.hostname, port=controller.port, sender=SENDER, use_tls=True
        )
        with pytest.raises(RetryableSendError, match="unreachable"):
            await untrusting.send(mail())  # the system's CAs do not know our certificate
    finally:
        controller.stop()

    [envelope] = mailbox.received
    assert parsed(envelope)["X-Gridcase-Idempotency-Key"] == "evt-1:gm111a:email"
