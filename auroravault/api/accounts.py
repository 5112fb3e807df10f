"""Accounts: register, login, logout, me; the user's own settings: profile, notification
switches, password, sessions (issue 14)."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath, JSONBody

from auroravault.api.deps import ACCOUNTS_SERVICE, LIBRARY_SERVICE, USER, bearer_token
from auroravault.api.problems import AUTH, BODY, UNAVAILABLE, documented
from auroravault.api.schemas import (
    LoginBody,
    LoginOut,
    RegisterBody,
    RegisterOut,
    ResetBody,
    ResetConfirmBody,
    UserOut,
)
from auroravault.api.schemas_accounts import PasswordChangeBody, ProfileBody, SessionsOut, given
from auroravault.meta.base import User
from auroravault.services.accounts import AccountService
from auroravault.services.library import LibraryService


class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]
    dependencies = ACCOUNTS_SERVICE

    @post(
        "/register",
        status_code=201,
        summary="Create an account and log in",
        responses=documented(
            s403="registration_closed",
            s404="invite_not_found",
            s409="email_taken",
            s410="invite_expired",
            s422="invalid_email, weak_password, invalid_display_name",
            **BODY,
            **UNAVAILABLE,
        ),
    )
    async def register(
        self, request: Request, data: JSONBody[RegisterBody], accounts: NamedDependency[AccountService]
    ) -> RegisterOut:
        result = await accounts.register(
            data.email,
            data.password,
            data.display_name,
            data.invite_token,
            client_ip=_client(request),
            user_agent=request.headers.get("user-agent"),
        )
        return RegisterOut(user=UserOut.of(result.user), token=result.token, expires_at=result.expires_at)

    @post(
        "/login",
        status_code=200,
        summary="Log in; too many failures answer 429",
        responses=documented(
            s401="invalid_credentials",
            s403="account_disabled",
            s429="too_many_attempts (with Retry-After)",
            **BODY,
            **UNAVAILABLE,
        ),
    )
    async def login(
        self, request: Request, data: JSONBody[LoginBody], accounts: NamedDependency[AccountService]
    ) -> LoginOut:
        result = await accounts.login(
            data.email, data.password, _client(request), user_agent=request.headers.get("user-agent")
        )
        return LoginOut(token=result.token, expires_at=result.expires_at, user=UserOut.of(result.user))

    @post("/logout", status_code=204, dependencies=USER, summary="Revoke this token", responses=documented(**AUTH))
    async def logout(
        self, request: Request, user: NamedDependency[User], accounts: NamedDependency[AccountService]
    ) -> None:
        await accounts.logout(bearer_token(request))

    @post(
        "/password-reset",
        status_code=202,
        summary="Email a single-use reset link if the account exists (always 202: no enumeration)",
        responses=documented(**BODY, **UNAVAILABLE),
    )
    async def password_reset(
        self, data: JSONBody[ResetBody], accounts: NamedDependency[AccountService]
    ) -> dict[str, str]:
        await accounts.request_password_reset(data.email)
        return {"status": "accepted"}

    @post(
        "/password-reset/confirm",
        status_code=204,
        summary="Set a new password with a reset token; ends every session of the account",
        responses=documented(
            s400="invalid_json, invalid_reset_token", s413="body_too_large", s422="weak_password", **UNAVAILABLE
        ),
    )
    async def password_reset_confirm(
        self, data: JSONBody[ResetConfirmBody], accounts: NamedDependency[AccountService]
    ) -> None:
        await accounts.confirm_password_reset(data.token, data.password)


ME_AUTH = {"s401": "unauthorized, invalid_token", "s403": "account_disabled"}


class UsersController(Controller):
    """``/users/me``: reading it takes the library (usage); the settings take the accounts.
    Each handler names its one service; one controller keeps the path's methods together."""

    path = "/users"
    tags = ["accounts"]
    dependencies = USER

    @get(
        "/me",
        dependencies=LIBRARY_SERVICE,
        summary="The current user, with quota and usage",
        responses=documented(**ME_AUTH),
    )
    async def me(self, user: NamedDependency[User], library: NamedDependency[LibraryService]) -> UserOut:
        return UserOut.of(user, await library.usage(user))

    # -- the user's own settings (issue 14) ------------------------------------------------
    # Litestar's own OPTIONS answer names the methods of one handler only: say all of them.
    @route("/me", http_method=HttpMethod.OPTIONS, include_in_schema=False, sync_to_thread=False)
    def allow_me(self) -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, PATCH"})

    @patch(
        "/me",
        dependencies=ACCOUNTS_SERVICE,
        summary="Change my display name or notification switches",
        responses=documented(s422="invalid_display_name", **BODY, **ME_AUTH),
    )
    async def update_me(
        self, data: JSONBody[ProfileBody], user: NamedDependency[User], accounts: NamedDependency[AccountService]
    ) -> UserOut:
        updated = await accounts.update_profile(
            user,
            display_name=given(data.display_name),
            notify_album_shared=given(data.notify_album_shared),
            notify_album_photos=given(data.notify_album_photos),
        )
        return UserOut.of(updated)

    @post(
        "/me/password",
        dependencies=ACCOUNTS_SERVICE,
        status_code=204,
        summary="Change my password; ends every other session (this one stays)",
        responses=documented(
            s401="unauthorized, invalid_token, invalid_credentials (the current password is wrong)",
            s403="account_disabled",
            s409="password_changed",
            s422="weak_password",
            s429="too_many_attempts (with Retry-After)",
            **BODY,
        ),
    )
    async def change_password(
        self,
        request: Request,
        data: JSONBody[PasswordChangeBody],
        user: NamedDependency[User],
        accounts: NamedDependency[AccountService],
    ) -> None:
        await accounts.change_password(
            user, bearer_token(request), data.current_password, data.new_password, _client(request)
        )

    @get(
        "/me/sessions",
        dependencies=ACCOUNTS_SERVICE,
        summary="My sessions, this one marked current",
        responses=documented(**ME_AUTH),
    )
    async def sessions(
        self, request: Request, user: NamedDependency[User], accounts: NamedDependency[AccountService]
    ) -> SessionsOut:
        return SessionsOut(items=await accounts.sessions(user, bearer_token(request)))

    @delete(
        "/me/sessions/{session_id:str}",
        dependencies=ACCOUNTS_SERVICE,
        status_code=204,
        summary="End one of my sessions (its token stops working at once)",
        responses=documented(s404="session_not_found", **ME_AUTH),
    )
    async def revoke_session(
        self, session_id: FromPath[str], user: NamedDependency[User], accounts: NamedDependency[AccountService]
    ) -> None:
        await accounts.revoke_session(user, session_id)


def _client(request: Request) -> str:
    """The client's address (a trusted proxy's forwarding already applied)."""
    return request.client.host if request.client else "unknown"
