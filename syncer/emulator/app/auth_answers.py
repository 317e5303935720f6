"""Grafana's answers to a request it cannot authenticate, on `/api` and `/apis` alike.

Role: `app/server.py` answers with these when `auth.Authenticator` finds no identity. `/apis/*` sits
behind Grafana's `middleware.ReqSignedIn` (pkg/services/apiserver/service.go), so it gets the
same Grafana JSON as `/api`, never a Kubernetes `Status`. The bodies are errutil public errors
(`message`, `messageId`, `statusCode`, `traceID`; pkg/middleware/auth.go `notAuthorized` writes
them through `WriteErrOrFallback`). Nothing from the request is echoed.
"""

from __future__ import annotations

from syncer.emulator.web.values import Response, json_response, message_response


def grafana_error(status: int, message: str, message_id: str) -> Response:
    """An errutil public error as Grafana's web layer writes it (keys sorted, empty trace id)."""
    document = {"message": message, "messageId": message_id, "statusCode": status, "traceID": ""}
    return json_response(status, document, sort_keys=True)


def unauthenticated(presented: str) -> Response:
    """The 401 for a request whose credential (`auth.presented_credential`) matched no one.

    none  -> authn's `errCantAuthenticateReq` (pkg/services/authn/authnimpl/service.go);
    token -> the API-key client's `errAPIKeyInvalid` (pkg/services/authn/clients/api_key.go);
    basic -> the plain fallback body (the basic client's own error is unconfirmed).
    """
    if presented == "none":
        return grafana_error(401, "Unauthorized", "auth.unauthorized")
    if presented == "token":
        return grafana_error(401, "Invalid API key", "api-key.invalid")
    return message_response(401, "Unauthorized")


def not_in_org(presented: str) -> Response:
    """A known caller asking for an org that does not exist (X-Grafana-Org-Id / targetOrgId)."""
    if presented == "token":
        return grafana_error(
            401, "API key does not belong to the requested organization", "api-key.organization-mismatch"
        )
    return message_response(401, "Unauthorized")
