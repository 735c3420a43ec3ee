"""Meta's own response bodies, field for field, with the source of each.

Sources (see shared/reference/meta-cloud-api-facts.md for the full citations):

* S-GERR  Graph "Handling Errors" page: the error object (message, type, code, error_subcode,
          error_user_title, error_user_msg, fbtrace_id) and the 190 subcodes 458-492.
* S-ERR   WhatsApp Cloud API "Error codes" page: ``error_data: {messaging_product, details}``.
* S-DBG   debug_token reference: ``data`` fields; invalid tokens give HTTP 200 with
          ``is_valid: false`` and ``data.error {code, subcode, message}`` (key ``subcode``).
* FIX     captured debug_token bodies in bk-rs/facebook-apis-rs
          (facebook-access-token-api/tests/response_body_json_files/).
* 3rd     captured errors quoted in public issues (heyoo#94, whatsapp-cloud-api-rs#3, …),
          named per entry below.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CANNOT_PARSE = "Invalid OAuth access token - Cannot parse access token"  # FIX, code 190 no subcode


@dataclass(frozen=True)
class TokenError:
    """How Meta describes a dead token: code, subcode and message (S-GERR, FIX, 3rd)."""

    code: int
    subcode: int | None
    message: str


def _expired_message(expired_at: int, now: int) -> str:
    # FIX debug_token__user_access_token_3.json: "Session has expired on <date>. The current
    # time is <date>." Meta writes the dates as "Wednesday, 16-Nov-22 07:45:51 PST".
    def meta_date(ts: int) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")

    return (
        f"Error validating access token: Session has expired on {meta_date(expired_at)}. "
        f"The current time is {meta_date(now)}."
    )


TOKEN_ERRORS: dict[str, TokenError] = {
    # 3rd: "HTTP 400 with error_subcode 467 in a 2026 production capture"; text from the guide.
    "logged_out": TokenError(
        190,
        467,
        "Error validating access token: The session is invalid because the user logged out.",
    ),
    # FIX user_access_token_4.json
    "password_changed": TokenError(
        190,
        460,
        "Error validating access token: The session has been invalidated because the user "
        "changed their password or Facebook has changed the session for security reasons.",
    ),
    # S-GERR 458 "App Not Installed"; 3rd message shape "User X has not authorized application Y"
    "app_not_installed": TokenError(
        190,
        458,
        "Error validating access token: User 104169029247128 has not authorized "
        "application 634974688087057.",
    ),
    # S-GERR 459 "User Checkpointed"
    "checkpointed": TokenError(
        190,
        459,
        "Error validating access token: You cannot access the app till you log in to "
        "www.facebook.com and follow the instructions given.",
    ),
    # S-GERR 464 "Unconfirmed User"
    "unconfirmed_user": TokenError(
        190,
        464,
        "Error validating access token: Sessions for the user are not allowed because "
        "the user is not a confirmed user.",
    ),
    # FIX: "The session was invalidated explicitly using an API call."
    "invalidated": TokenError(
        190,
        466,
        "Error validating access token: The session was invalidated explicitly using an API call.",
    ),
    # S-GERR 492 "Invalid Session"
    "role_lost": TokenError(
        190,
        492,
        "Error validating access token: User associated with the Page access token "
        "does not have an appropriate role on the Page.",
    ),
}


def expired_error(expired_at: int, now: int) -> TokenError:
    return TokenError(190, 463, _expired_message(expired_at, now))


def fbtrace_id() -> str:
    """Meta's trace ids look like ``Az8or2yhqkZfEZ-_4Qn_Bam`` (S-ERR example)."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "A" + "".join(secrets.choice(alphabet) for _ in range(22))


@dataclass(frozen=True)
class Answer:
    """One HTTP answer of the simulator."""

    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


def graph_error(
    status: int,
    code: int,
    message: str,
    *,
    error_type: str = "OAuthException",
    subcode: int | None = None,
    details: str | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
) -> Answer:
    """The synchronous error object (S-GERR), with WhatsApp's ``error_data`` when given (S-ERR)."""
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if user_title:
        error["error_user_title"] = user_title
    if user_msg:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = fbtrace_id()
    headers: tuple[tuple[str, str], ...] = ()
    if error_type == "OAuthException":
        # 3rd voiceflow-community/example-integration-whatsapp#5: OAuth errors carry this header.
        headers = (
            ("WWW-Authenticate", f'OAuth "Facebook Platform" "invalid_request" "{message}"'),
        )
    return Answer(status, {"error": error}, headers)


def token_rejected(error: TokenError) -> Answer:
    """A request made *with* a dead token: HTTP 400 with the 190 error (3rd, 2026 capture)."""
    return graph_error(400, error.code, error.message, subcode=error.subcode)


def unsupported_request(method: str, object_id: str) -> Answer:
    """100/33 GraphMethodException (3rd whatsapp-cloud-api-rs#3, netflie#42; HTTP 400)."""
    verb = "post" if method == "POST" else "get"
    return graph_error(
        400,
        100,
        f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read the "
        "Graph API documentation at https://developers.facebook.com/docs/graph-api",
        error_type="GraphMethodException",
        subcode=33,
    )


def debug_caller_not_allowed() -> Answer:
    """FIX: the caller token may not inspect a token of another app (HTTP 400, code 100)."""
    return graph_error(
        400,
        100,
        "(#100) You must provide an app access token, or a user access token that is an owner "
        "or developer of the app",
    )


def whatsapp_error(status: int, code: int, title: str, details: str) -> Answer:
    """A Cloud API send error: message "(#code) title" plus error_data.details (S-ERR)."""
    return graph_error(status, code, f"(#{code}) {title}", details=details)


def send_error(kind: str, **values: str) -> Answer:
    """The send-path errors the simulator can give, each with its source."""
    makers = {
        # 3rd Neurotech-HQ/heyoo#94: real body, HTTP 400.
        "not_allowed": lambda: whatsapp_error(
            400,
            131030,
            "Recipient phone number not in allowed list",
            "Recipient phone number not in allowed list: Add recipient phone number to recipient "
            "list and try again.",
        ),
        # S-ERR 131047; webhook details text as in reference 2 (see 2.1: usually asynchronous).
        "window": lambda: whatsapp_error(
            400,
            131047,
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer "
            "last replied to this number.",
        ),
        # 3rd tawn33y/whatsapp-cloud-api#57: "template name (X) does not exist in en_US".
        "no_translation": lambda: whatsapp_error(
            404,
            132001,
            "Template name does not exist in the translation",
            f"template name ({values.get('name')}) does not exist in {values.get('language')}",
        ),
        # S-ERR 132015 / 132016.
        "paused": lambda: whatsapp_error(
            400, 132015, "Template is Paused", "Template is paused due to low quality."
        ),
        "disabled": lambda: whatsapp_error(
            400, 132016, "Template is Disabled", "Template has been paused too many times."
        ),
        # S-ERR 133010.
        "not_registered": lambda: whatsapp_error(
            400,
            133010,
            "Account not registered",
            "Phone number not registered on the WhatsApp Business Platform.",
        ),
        # 3rd fbsamples/whatsapp-business-jaspers-market#1 (2025-11, the webhook's error object:
        # title and details as Meta wrote them); HTTP 403 as reference 2 gives for 131031.
        "locked": lambda: whatsapp_error(
            403, 131031, "Business Account locked", "Business account has been locked."
        ),
        # S-ERR 368 (reference 2): title and description as Meta's table gives them, HTTP 403.
        "policy_blocked": lambda: whatsapp_error(
            403,
            368,
            "Temporarily blocked for policies violations",
            "The WhatsApp Business Account associated with the app has been restricted or "
            "disabled for violating a platform policy.",
        ),
        # The codes below: titles and descriptions as Meta's error table gives them (reference 2);
        # 131008's details are whatomate#501's real ones, HTTP 400 as for the other 4xx sends.
        "maintenance": lambda: whatsapp_error(
            400,
            131057,
            "Account in maintenance mode",
            "Business Account is in maintenance mode",
        ),
        "country_restricted": lambda: whatsapp_error(
            403,
            130497,
            "Business account is restricted from messaging users in this country",
            "Business account is restricted from messaging users in this country.",
        ),
        "marketing_disabled": lambda: whatsapp_error(
            400,
            131063,
            "Marketing templates disabled",
            "Marketing template messages are disabled for this business on Cloud API.",
        ),
        "misuse_limited": lambda: whatsapp_error(
            400,
            131064,
            "Messaging limit reached",
            "Messaging limit reached for template category violations.",
        ),
        "parameter_missing": lambda: whatsapp_error(
            400,
            131008,
            "Required parameter is missing",
            "buttons: Button at index 0 of type Url requires a parameter",
        ),
        "param_invalid": lambda: whatsapp_error(
            400,
            132018,
            "There was an issue with the parameters in your template.",
            "body: Param text cannot have new-line/tab characters or more than 4 consecutive "
            "spaces",
        ),
        "text_too_long": lambda: whatsapp_error(
            400, 132005, "Template Hydrated Text Too Long", "Translated text is too long."
        ),
        "policy_violated": lambda: whatsapp_error(
            400,
            132007,
            "Template Format Character Policy Violated",
            "Template content violates a WhatsApp policy.",
        ),
        # Meta's "Business-scoped user IDs" page (2026): 131062 and its details, verbatim; an
        # authentication template needs the user's phone number. HTTP 400 as other 4xx sends.
        "bsuid_not_supported": lambda: whatsapp_error(
            400,
            131062,
            "Business-scoped User ID (BSUID) recipients are not supported for this message.",
            "Business-scoped User ID (BSUID) recipients are not supported for this message.",
        ),
        # S-ERR 10 "Permission is either not granted or has been removed."
        "no_permission": lambda: graph_error(
            403,
            10,
            "(#10) Application does not have permission for this action",
            details="Permission is either not granted or has been removed.",
        ),
    }
    return makers[kind]()


def appsecret_proof_invalid() -> Answer:
    """A proof not made with the token's app secret (3rd facebook-python-business-sdk#528:
    HTTP 400, GraphMethodException, code 100), whether or not the app requires one."""
    return graph_error(
        400,
        100,
        "Invalid appsecret_proof provided in the API argument",
        error_type="GraphMethodException",
    )


def appsecret_proof_missing() -> Answer:
    """No proof to an app with "Require App Secret" on (reference 7.3; 3rd
    sromku/android-simple-facebook#160: HTTP 400, GraphMethodException, code 100)."""
    return graph_error(
        400,
        100,
        "API calls from the server require an appsecret_proof argument",
        error_type="GraphMethodException",
    )


def nonexisting_field(field_name: str, node_type: str) -> Answer:
    """Asking a node for a field it lacks: code 100, no subcode (Graph's standard wording)."""
    return graph_error(
        400,
        100,
        f"(#100) Tried accessing nonexisting field ({field_name}) on node type ({node_type})",
    )


def too_much_data() -> Answer:
    """What a large read can get, nested edges above all (3rd facebook-python-business-sdk#470:
    HTTP 500, code 1; it comes back on every retry)."""
    return graph_error(
        500, 1, "Please reduce the amount of data you're asking for, then retry your request"
    )
