"""Accounts: registration, login with rate limits, sessions, the current user.

Passwords are hashed with argon2id (``services.passwords``, off the event loop); a hash
made with older parameters is replaced on the next successful login. Tokens are random
and stored only as sha256 hashes; logout deletes the session, so the token stops working.

Login limits (counted *before* the password is checked, with the store's atomic counter,
so parallel guesses cannot slip through between a read and a write):

- per address: ``auth.login_address_max_attempts`` attempts per window, whatever the account;
- per (account, address): ``auth.login_max_failures`` attempts per window, and each time
  that limit is reached the next window doubles, up to ``auth.login_max_delay_seconds``;
- per account, from every address: ``auth.login_account_max_attempts`` per window, a
  ceiling far above what one address can reach.

A stranger hammering an account from their address locks out only themselves: the owner
still logs in from theirs. The address is the peer's, or the client's as forwarded by a
proxy in ``server.trusted_proxies``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from auroravault.config import Settings
from auroravault.errors import Forbidden, Invalid, TooManyRequests, Unauthorized
from auroravault.ids import new_id, new_token, token_hash
from auroravault.meta.base import Session, User
from auroravault.meta.protocols import LimitedAccounts
from auroravault.services.passwords import hash_password, verify_password
from auroravault.textcheck import has_control_chars
from auroravault.timeutil import utcnow

MAX_EMAIL = 254  # RFC 5321's limit for a forward path
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class LoginResult(msgspec.Struct, frozen=True):
    user: User
    token: str
    expires_at: datetime


UserEvent = Callable[[User], Awaitable[None]]


class InviteGate(Protocol):
    """Registration with an invitation (``services/families``): the invitation is the permission."""

    async def check_invite(self, token: str) -> None:
        """Refuse a token that cannot be used (before the account is made)."""
        ...

    async def accept_invite(self, user: User, token: str) -> None:
        """The new account joins the invitation's family."""
        ...


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        raise Invalid("invalid_email", "this does not look like an email address")
    return email


class AccountService:
    #: The app's bounded pool for argon2 (``auroravault.executors``); asyncio's default when None.
    passwords: Executor | None = None
    #: Family invitations (``services.families``): a valid one lets anyone register.
    invites: InviteGate | None = None

    def __init__(
        self,
        meta: LimitedAccounts,
        settings: Settings,
        *,
        on_user_created: UserEvent | None = None,
        on_reset_requested: UserEvent | None = None,
        on_login: UserEvent | None = None,
    ) -> None:
        self.meta = meta
        self.settings = settings
        self.on_user_created = on_user_created
        self.on_reset_requested = on_reset_requested
        self.on_login = on_login  # after each successful login (the places backfill starts there)

    def _check_password(self, password: str) -> None:
        minimum = self.settings.auth.password_min_length
        if len(password) < minimum:
            raise Invalid("weak_password", f"the password must have at least {minimum} characters")
        if len(password) > 1024:
            raise Invalid("weak_password", "the password is longer than 1024 characters")

    async def create_user(self, email: str, password: str, display_name: str, *, is_admin: bool = False) -> User:
        """Create an account (no session). Used by registration and ``auroravault user create``."""
        email = normalize_email(email)
        if has_control_chars(display_name):
            raise Invalid("invalid_display_name", "the display name may not hold control characters")
        display_name = " ".join(display_name.split())
        if not 1 <= len(display_name) <= 100:
            raise Invalid("invalid_display_name", "the display name must have 1 to 100 characters")
        self._check_password(password)
        password_hash = await hash_password(password, self.passwords)
        user = User(
            id=new_id("u_"),
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            is_admin=is_admin,
            quota_bytes=self.settings.auth.default_quota_bytes,
            created_at=utcnow(),
        )
        await self.meta.create_user(user)
        if self.on_user_created is not None:
            await self.on_user_created(user)
        return user

    async def register(
        self, email: str, password: str, display_name: str, invite_token: str | None = None
    ) -> LoginResult:
        invites = self.invites if invite_token is not None else None
        if invites is not None and invite_token is not None:
            await invites.check_invite(invite_token)  # the invitation opens a closed registration
        elif self.settings.auth.registration == "closed":
            raise Forbidden(
                "registration_closed", "registration is closed on this server; ask its admin for an account"
            )
        user = await self.create_user(email, password, display_name)
        if invites is not None and invite_token is not None:
            await invites.accept_invite(user, invite_token)
        return await self._open_session(user)

    async def login(self, email: str, password: str, client_ip: str) -> LoginResult:
        email = email.strip().lower()
        keys = _LoginKeys(email, client_ip)
        await self._count_attempt(keys)
        # No account has a longer email (normalize_email); don't ask a store with key limits.
        user = await self.meta.get_user_by_email(email) if len(email) <= MAX_EMAIL else None
        verdict = await verify_password(user.password_hash if user else None, password, self.passwords)
        if user is None or not verdict.ok:
            raise Unauthorized("invalid_credentials", "wrong email or password")
        if verdict.needs_rehash:
            # Stored only if unchanged meanwhile: a reset racing this login wins.
            await self.meta.replace_password_hash(
                user.id, user.password_hash, await hash_password(password, self.passwords)
            )
        for key in (keys.pair, keys.strikes):
            await self.meta.reset_counter(key)
        result = await self._open_session(user)
        if self.on_login is not None:
            await self.on_login(user)
        return result

    async def _count_attempt(self, keys: _LoginKeys) -> None:
        """Count one login attempt against each limit in turn, or refuse it with 429.

        An attempt refused by one limit is not counted by the next, so an address that is
        already refused cannot push an account towards its ceiling.
        """
        auth = self.settings.auth
        now = utcnow()
        window = auth.login_window_seconds
        if await self.meta.hit_counter(keys.address, window, now) > auth.login_address_max_attempts:
            raise _too_many(window)
        strikes = await self.meta.get_counter(keys.strikes, now)
        pair_window = min(window * 2 ** min(strikes, 32), max(window, auth.login_max_delay_seconds))
        count = await self.meta.hit_counter(keys.pair, pair_window, now)
        if count > auth.login_max_failures:
            if count == auth.login_max_failures + 1:  # the first refusal of this window
                await self.meta.hit_counter(keys.strikes, auth.login_max_delay_seconds, now)
            raise _too_many(pair_window)
        if await self.meta.hit_counter(keys.account, window, now) > auth.login_account_max_attempts:
            raise _too_many(window)

    async def _open_session(self, user: User) -> LoginResult:
        token = new_token()
        now = utcnow()
        expires_at = now + timedelta(seconds=self.settings.auth.session_ttl_seconds)
        await self.meta.create_session(
            Session(token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=expires_at)
        )
        return LoginResult(user=user, token=token, expires_at=expires_at)

    async def logout(self, token: str) -> None:
        await self.meta.delete_session(token_hash(token))

    async def authenticate(self, token: str) -> User:
        """The user behind a bearer token, or ``Unauthorized``."""
        session = await self.meta.get_session(token_hash(token))
        if session is None or session.expires_at <= utcnow():
            raise Unauthorized("invalid_token", "the token is unknown, expired or logged out")
        user = await self.meta.get_user(session.user_id)
        if user is None:
            raise Unauthorized("invalid_token", "the token's account no longer exists")
        return user

    async def request_password_reset(self, email: str) -> None:
        """Queue a reset email if the account exists. Says nothing either way (no enumeration).

        At most ``auth.login_max_failures`` requests per address and window: more are
        dropped silently, so the form cannot be used to flood someone's mailbox.
        """
        try:
            email = normalize_email(email)
        except Invalid:
            return
        key = f"reset:{email}"
        if await self.meta.hit_counter(key, self.settings.auth.login_window_seconds, utcnow()) > (
            self.settings.auth.login_max_failures
        ):
            return
        user = await self.meta.get_user_by_email(email)
        if user is not None and self.on_reset_requested is not None:
            await self.on_reset_requested(user)

    async def confirm_password_reset(self, token: str, password: str) -> None:
        """Set a new password with a reset token (once) and end every session of the account."""
        self._check_password(password)
        user_id = await self.meta.consume_reset_token(token_hash(token.strip()), utcnow())
        if user_id is None:
            raise Invalid(
                "invalid_reset_token", "this reset link is unknown, used or expired; ask for a new one", status=400
            )
        await self.meta.set_password(user_id, await hash_password(password, self.passwords))
        await self.meta.delete_user_sessions(user_id)
        await self.meta.delete_user_reset_tokens(user_id)  # older links stop working too
        user = await self.meta.get_user(user_id)
        if user is not None:
            await self.meta.reset_counter(_LoginKeys(user.email, "").account)


class _LoginKeys:
    """The counter keys of one login attempt. The email is hashed: it is unvalidated input
    of any length, and counter keys must stay short on every store."""

    def __init__(self, email: str, client_ip: str) -> None:
        who = token_hash(email)[:32]
        where = client_ip[:64]
        self.address = f"login:ip:{where}"
        self.pair = f"login:pair:{where}|{who}"
        self.strikes = f"login:strikes:{where}|{who}"
        self.account = f"login:account:{who}"


def _too_many(retry_after: int) -> TooManyRequests:
    return TooManyRequests(
        "too_many_attempts", "too many login attempts; wait a while and try again", retry_after=retry_after
    )
