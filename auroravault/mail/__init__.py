"""Mail: the ``Mailer`` protocol, its adapters, and ``build_mailer``.

Adapters are imported only when chosen (``mail.backend``), so the offline default never
loads boto3 or aiosmtplib:

    log   LogMailer   .eml files in ``<data_dir>/outbox`` (log.py)
    smtp  SmtpMailer  aiosmtplib (smtp.py)
    ses   SesMailer   boto3 SES SendRawEmail (ses.py)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

from auroravault.errors import ConfigError
from auroravault.mail.base import Mailer, Message

if TYPE_CHECKING:
    from auroravault.config import Settings

__all__ = ["Mailer", "Message", "build_mailer"]


def _import(module: str, requires: str | None = None) -> ModuleType:
    """Import an adapter module; a missing third-party ``requires`` becomes an install hint."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if requires is None or (exc.name or "").partition(".")[0] != requires:
            raise
        raise ConfigError(f"this mail.backend needs the {requires} package: pip install {requires}") from exc


def _log(settings: Settings) -> Mailer:
    mod = _import("auroravault.mail.log")
    mailer: Mailer = mod.LogMailer(settings.data_path / "outbox", from_address=settings.mail.from_address)
    return mailer


def _smtp(settings: Settings) -> Mailer:
    mod = _import("auroravault.mail.smtp", "aiosmtplib")
    mailer: Mailer = mod.SmtpMailer(settings.smtp, settings.mail.from_address)
    return mailer


def _ses(settings: Settings) -> Mailer:
    mod = _import("auroravault.mail.ses", "boto3")
    mailer: Mailer = mod.SesMailer(settings.ses, settings.mail.from_address)
    return mailer


_BACKENDS: dict[str, Callable[[Settings], Mailer]] = {"log": _log, "smtp": _smtp, "ses": _ses}


def build_mailer(settings: Settings) -> Mailer:
    """The mailer chosen by ``settings.mail.backend``. Raises ``ConfigError`` if it cannot be built."""
    try:
        factory = _BACKENDS[settings.mail.backend]
    except KeyError:
        raise ConfigError(
            f"mail.backend must be one of {', '.join(_BACKENDS)}, not {settings.mail.backend!r}"
        ) from None
    return factory(settings)
