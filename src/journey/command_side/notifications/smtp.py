"""The `Mailer` over real SMTP (aiosmtplib): the local sink by default, any relay in production."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from journey.command_side.notifications.ports import DeliveryFailed, DeliveryRejected
from journey.command_side.notifications.settings import SmtpSettings


class SmtpMailer:
    """Sends each message in its own SMTP conversation.

    A 5xx answer to the recipient is a hard rejection (`DeliveryRejected`); every other failure
    (connection refused, timeout, 4xx, a refused sender or body) is `DeliveryFailed` and retried:
    those are ours or the server's to fix, not the customer's.
    """

    name = "smtp"

    def __init__(self, settings: SmtpSettings | None = None) -> None:
        self.settings = settings or SmtpSettings()

    async def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(
                message,
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=None if s.password is None else s.password.get_secret_value(),
                use_tls=s.use_tls,
                start_tls=s.starttls,
                validate_certs=s.validate_certs,
                timeout=s.timeout,
                local_hostname=s.local_hostname,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = sorted({recipient.code for recipient in refused.recipients})
            if codes and all(500 <= code < 600 for code in codes):
                raise DeliveryRejected(f"recipient_refused_{codes[0]}") from None
            # from None: aiosmtplib's message quotes the address, and tracebacks get logged.
            raise DeliveryFailed(f"smtp refused the recipient for now ({codes})") from None
        except aiosmtplib.SMTPResponseException as error:
            raise DeliveryFailed(f"smtp answered {error.code}") from None
        except aiosmtplib.SMTPException as error:
            raise DeliveryFailed(f"smtp failed ({type(error).__name__})") from None
        except OSError as error:
            raise DeliveryFailed(f"smtp unreachable ({type(error).__name__})") from None
