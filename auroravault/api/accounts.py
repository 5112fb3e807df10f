"""Accounts: register, login, logout, me."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

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
    async def register(self, data: JSONBody[RegisterBody], accounts: NamedDependency[AccountService]) -> RegisterOut:
        result = await accounts.register(data.email, data.password, data.display_name, data.invite_token)
        return RegisterOut(user=UserOut.of(result.user), token=result.token, expires_at=result.expires_at)

    @post(
        "/login",
        status_code=200,
        summary="Log in; too many failures answer 429",
        responses=documented(
            s401="invalid_credentials", s429="too_many_attempts (with Retry-After)", **BODY, **UNAVAILABLE
        ),
    )
    async def login(
        self, request: Request, data: JSONBody[LoginBody], accounts: NamedDependency[AccountService]
    ) -> LoginOut:
        client = request.client.host if request.client else "unknown"
        result = await accounts.login(data.email, data.password, client)
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


class UsersController(Controller):
    path = "/users"
    tags = ["accounts"]
    dependencies = {**USER, **LIBRARY_SERVICE}

    @get("/me", summary="The current user, with quota and usage", responses=documented(**AUTH))
    async def me(self, user: NamedDependency[User], library: NamedDependency[LibraryService]) -> UserOut:
        return UserOut.of(user, await library.usage(user))
