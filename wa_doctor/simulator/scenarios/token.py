"""Scenarios of the access token's states, as debug_token reports them (reference section 3)."""

from __future__ import annotations

from functools import partial

from ..meta import TOKEN_ERRORS, expired_error
from ..world import WHATSAPP_SCOPES, World, random_token
from .base import DAY, Scenario, main_token


def _unknown_token(world: World, now: int) -> None:
    world.tokens[random_token("EAAX")] = world.tokens.pop(world.token)


def _token_error(kind: str, world: World, now: int) -> None:
    state = main_token(world)
    state.type = "USER"
    state.error = TOKEN_ERRORS[kind]


def _expired(world: World, now: int) -> None:
    state = main_token(world)
    state.type = "USER"
    state.expires_at = now - 3 * 3600
    state.error = expired_error(state.expires_at, now)


def _temporary(world: World, now: int) -> None:
    state = main_token(world)
    state.type = "USER"
    state.expires_at = now + 20 * 3600
    state.target_ids = None


def _expiring(world: World, now: int) -> None:
    main_token(world).expires_at = now + 3 * DAY


def _sixty_day_token(days_left: int, world: World, now: int) -> None:
    """Business Manager's 60-day System User token, ``days_left`` days before it expires."""
    state = main_token(world)
    state.expires_at = now + days_left * DAY
    state.issued_at = state.expires_at - 60 * DAY


def _scopes(scopes: tuple[str, ...], world: World, now: int) -> None:
    main_token(world).scopes = scopes


def _other_waba(world: World, now: int) -> None:
    main_token(world).target_ids = ("987654321098765",)


def _other_app(world: World, now: int) -> None:
    main_token(world).app_id = "111122223333444"
    world.settings["app_id"] = world.app_id


SCENARIOS: dict[str, Scenario] = {
    "invalid-token": Scenario(
        "The token is not one Meta issued (mis-copied).", "token.invalid", _unknown_token
    ),
    "session-logged-out": Scenario(
        "190/467: the session is invalid because the user logged out.",
        "token.session_logged_out",
        partial(_token_error, "logged_out"),
    ),
    "expired": Scenario("190/463: the token's session has expired.", "token.expired", _expired),
    "password-changed": Scenario(
        "190/460: invalidated by a password change.",
        "token.password_changed",
        partial(_token_error, "password_changed"),
    ),
    "app-not-installed": Scenario(
        "190/458: the user has not authorised the app.",
        "token.app_not_installed",
        partial(_token_error, "app_not_installed"),
    ),
    "checkpointed": Scenario(
        "190/459: the user must clear a security checkpoint.",
        "token.checkpointed",
        partial(_token_error, "checkpointed"),
    ),
    "unconfirmed-user": Scenario(
        "190/464: the user's account is not confirmed.",
        "token.unconfirmed_user",
        partial(_token_error, "unconfirmed_user"),
    ),
    "token-invalidated": Scenario(
        "190/466: the session was revoked through the API.",
        "token.invalidated",
        partial(_token_error, "invalidated"),
    ),
    "role-lost": Scenario(
        "190/492: the token's user lost its role on the asset.",
        "token.role_lost",
        partial(_token_error, "role_lost"),
    ),
    "temporary-token": Scenario(
        "A 24-hour user token from API Setup, not a System User token.",
        "token.temporary",
        _temporary,
    ),
    "expiring-soon": Scenario(
        "A System User token that expires in 3 days.", "token.expiring_soon", _expiring
    ),
    "system-user-60-day": Scenario(
        "A System User token Business Manager issued for 60 days, 50 days left: a date, not a "
        "temporary token.",
        "token.system_user_expires",
        partial(_sixty_day_token, 50),
    ),
    "system-user-expiring": Scenario(
        "The same 60-day token with 10 days left: inside the warning window that fits it (15).",
        "token.expiring_soon",
        partial(_sixty_day_token, 10),
    ),
    "scopes-missing": Scenario(
        "The token lacks whatsapp_business_messaging.",
        "token.scopes_missing",
        partial(_scopes, ("whatsapp_business_management", "business_management")),
    ),
    "business-management-missing": Scenario(
        "The token lacks the recommended business_management.",
        "token.scope_recommended_missing",
        partial(_scopes, WHATSAPP_SCOPES),
    ),
    "waba-not-granted": Scenario(
        "The token's WhatsApp scopes cover another WABA only.",
        "token.waba_not_granted",
        _other_waba,
    ),
    "app-mismatch": Scenario(
        "The token was issued by another app than WHATSAPP_APP_ID.",
        "token.app_mismatch",
        _other_app,
    ),
}
