"""Connecting a profile, per connect kind (`networks.base.ConnectKind`).

What differs between networks is asked of their adapter classes. Every flow talks
to the network first and stores the profile last (through `services.profile_store`),
so a refused connection leaves nothing half-made. Each failure becomes a
ProfileConnectError with a message for the person connecting.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from config.egress import private_hosts_allowed, refused_message
from employees.models import NetworkApp
from employees.profiles import oauth, selectors
from employees.profiles.services import ProfileConnectError, check_company_role, profile_store
from networks import egress, get_adapter_class
from networks import mastodon_instance as server_address
from networks.base import (
    AppCredentials,
    ConnectKind,
    Credentials,
    CredentialsDead,
    NetworkError,
    RetryLater,
    ScopeDenied,
    Unsupported,
)
from networks.http import make_client

if TYPE_CHECKING:
    from employees.models import Membership, SocialProfile
    from employees.profiles.oauth import PendingConnection
    from networks.base import Adapter, ConnectedAccount


def _server_url(raw: str, *, adapter: type[Adapter]) -> str:
    """`https://host[:port]` from what was typed, or a message saying what is wrong."""
    try:
        server = server_address.normalize_instance_url(raw, allow_private=private_hosts_allowed())
        # Names are resolved and checked by the guarded client when it connects.
        egress.check_url(server)
    except egress.SchemeRefused:
        raise ProfileConnectError(_("The address must start with https://.")) from None
    except egress.Refused:
        raise ProfileConnectError(refused_message(_typed_host(raw))) from None
    except (server_address.InvalidInstanceURL, egress.InvalidAddress) as error:
        code = getattr(error, "code", "host")
        if code == "private":
            raise ProfileConnectError(refused_message(_typed_host(raw))) from None
        messages = {
            "empty": _("Enter the address of your %(network)s server."),
            "scheme": _("The address must start with https://."),
            "credentials": _("The address must not contain a user name or password."),
            "path": _("Enter only the server's address (like %(example)s), without a path."),
        }
        message = messages.get(code, _("That is not a valid server address."))
        raise ProfileConnectError(message % {"network": adapter.label, "example": adapter.server_example}) from None
    return server


def _typed_host(raw: str) -> str:
    value = raw.strip()
    return urlsplit(value if "://" in value else f"https://{value}").hostname or value


def _unreachable(server: str) -> ProfileConnectError:
    return ProfileConnectError(
        _("Could not reach %(server)s. Check the address, or try again in a few minutes if the server is down.")
        % {"server": server}
    )


def _not_set_up(label: str) -> ProfileConnectError:
    return ProfileConnectError(
        _("%(network)s is not available yet: an admin must first add the %(network)s app credentials.")
        % {"network": label}
    )


def _denied(label: str) -> ProfileConnectError:
    return ProfileConnectError(
        _(
            "%(network)s did not give permission to post for you, so the profile was not connected. "
            "Connect again and allow every permission asked for."
        )
        % {"network": label}
    )


def _refused(label: str) -> ProfileConnectError:
    return ProfileConnectError(
        _("%(network)s did not accept the connection (the sign-in may have expired). Please try again.")
        % {"network": label}
    )


def _followers(adapter: Adapter) -> int | None:
    """The follower count if the network tells it now; a connection does not fail on it."""
    try:
        return adapter.fetch_audience().followers
    except (Unsupported, RetryLater):
        return None


def _adapter_of_kind(network: str, *kinds: ConnectKind) -> type[Adapter]:
    adapter = get_adapter_class(network)
    if adapter.connect_kind not in kinds:
        raise ValueError(f"{network} connects by {adapter.connect_kind}, not {', '.join(kinds)}")
    return adapter


def _store(
    membership: Membership, network: str, account: ConnectedAccount, *, company: bool, followers: int | None = None
) -> SocialProfile:
    return profile_store(
        membership=membership,
        company=company,
        network=network,
        remote_id=account.remote_id,
        handle=account.handle,
        display_name=account.display_name,
        profile_url=account.profile_url,
        credentials=account.credentials,
        followers=account.followers if followers is None else followers,
        clicks_only=account.clicks_only,
    )


# -- app password (Bluesky) -----------------------------------------------------------


@sensitive_variables("app_password", "credentials", "account")
def profile_connect_app_password(
    *,
    membership: Membership,
    network: str,
    handle: str,
    app_password: str,
    server: str = "",
    company: bool = False,
) -> SocialProfile:
    """Sign in once with an app password, read the followers, store the session."""
    adapter_class = _adapter_of_kind(network, ConnectKind.APP_PASSWORD)
    label = adapter_class.label
    check_company_role(membership=membership, company=company)
    server = _server_url(server or adapter_class.default_server, adapter=adapter_class)
    handle = handle.strip().removeprefix("@")
    try:
        account = adapter_class.sign_in(handle=handle, app_password=app_password, server=server)
    except CredentialsDead:
        raise ProfileConnectError(
            _(
                "%(network)s did not accept this handle and app password. Check both; the app password "
                "may have been deleted in %(network)s's settings."
            )
            % {"network": label}
        ) from None
    except RetryLater:
        raise _unreachable(server) from None
    except egress.Refused as error:  # the typed server, or the PDS its DID document named
        raise ProfileConnectError(refused_message(error.host)) from None
    except NetworkError:
        raise ProfileConnectError(
            _("The server at %(server)s did not answer like a %(network)s server. Check the address.")
            % {"server": server, "network": label}
        ) from None
    with adapter_class(account.credentials) as adapter:
        try:
            followers = _followers(adapter)
        except egress.Refused as error:
            raise ProfileConnectError(refused_message(error.host)) from None
        except CredentialsDead:
            raise ProfileConnectError(
                _("%(network)s signed you in but then refused the session. Please try again.") % {"network": label}
            ) from None
        credentials = adapter.credentials  # the SDK may have refreshed the session meanwhile
    account = replace(account, credentials=credentials)
    return _store(membership, network, account, company=company, followers=followers)


# -- the share dialog (Facebook): nothing to sign in to --------------------------------


def profile_connect_share_dialog(*, membership: Membership, network: str, company: bool = False) -> SocialProfile:
    """Add a network to share on through its share dialog (measured by clicks)."""
    _adapter_of_kind(network, ConnectKind.SHARE_DIALOG)
    check_company_role(membership=membership, company=company)
    # No account id exists without a login the network does not offer for posting:
    # one share-dialog profile per member, and one for the company.
    remote_id = "share-dialog:company" if company else f"share-dialog:{membership.id}"
    name = membership.organization.name if company else membership.user.get_full_name()
    return profile_store(
        membership=membership,
        company=company,
        network=network,
        remote_id=remote_id,
        handle=name,
        credentials=Credentials(access_token=""),
        clicks_only=True,
    )


# -- OAuth: start --------------------------------------------------------------------

OAUTH_KINDS = (ConnectKind.OAUTH, ConnectKind.OAUTH_PER_INSTANCE)


def _app_for(membership: Membership, adapter: type[Adapter]) -> AppCredentials:
    app = selectors.network_app_credentials(organization_id=membership.organization_id, network=adapter.name)
    if app is None:
        raise _not_set_up(adapter.label)
    return app


def _instance_app(adapter: type[Adapter], server: str, redirect_uri: str) -> AppCredentials:
    """Our app on `server`, registered there the first time anyone connects from it."""
    row = selectors.instance_app_get(network=adapter.name, instance_url=server)
    if row is not None and row.redirect_uri == redirect_uri:
        return AppCredentials(client_id=row.client_id, client_secret=row.client_secret)
    # The server is whichever one the person typed: every connection goes through the guard.
    with egress.client() as client:
        try:
            app = adapter.register_app(
                server=server, redirect_uri=redirect_uri, client=client, client_name=settings.SITE_NAME
            )
        except RetryLater:
            raise _unreachable(server) from None
        except egress.Refused as error:
            raise ProfileConnectError(refused_message(error.host)) from None
        except NetworkError:
            raise ProfileConnectError(
                _("%(server)s does not look like a %(network)s server. Check the address (for example %(example)s).")
                % {"server": server, "network": adapter.label, "example": adapter.server_example}
            ) from None
    try:
        with transaction.atomic():
            NetworkApp.objects.update_or_create(
                organization=None,
                network=adapter.name,
                instance_url=server,
                defaults={"client_id": app.client_id, "client_secret": app.client_secret, "redirect_uri": redirect_uri},
            )
    except IntegrityError:
        # Registered by a concurrent request: use that registration, as the next one will.
        row = selectors.instance_app_get(network=adapter.name, instance_url=server)
        return AppCredentials(client_id=row.client_id, client_secret=row.client_secret)
    return app


def profile_authorize_start(
    *, membership: Membership, network: str, redirect_uri: str, company: bool = False, instance_url: str = ""
) -> PendingConnection:
    """The attempt to keep in the session, with the network's authorize URL to send the person to."""
    adapter = _adapter_of_kind(network, *OAUTH_KINDS)
    check_company_role(membership=membership, company=company)
    server = ""
    if adapter.connect_kind == ConnectKind.OAUTH_PER_INSTANCE:
        server = _server_url(instance_url, adapter=adapter)
        app = _instance_app(adapter, server, redirect_uri)
    else:
        app = _app_for(membership, adapter)
    pending = oauth.pending_new(
        network=network, membership_id=membership.id, redirect_uri=redirect_uri, company=company, instance_url=server
    )
    url = adapter.authorize_url(
        app=app,
        redirect_uri=redirect_uri,
        state=pending.state,
        code_challenge=pending.code_challenge,
        server=server,
        # A company connection may ask for other rights (LinkedIn: the page's, not the member's).
        options={
            **selectors.network_settings_options(network=network, connect=True),
            "company": "1" if company else "",
        },
    )
    return replace(pending, authorize_url=url)


# -- OAuth: finish -------------------------------------------------------------------


def _finish_app(membership: Membership, adapter: type[Adapter], pending: PendingConnection) -> AppCredentials:
    if adapter.connect_kind != ConnectKind.OAUTH_PER_INSTANCE:
        return _app_for(membership, adapter)
    row = selectors.instance_app_get(network=adapter.name, instance_url=pending.instance_url)
    if row is None:
        raise _refused(adapter.label)
    return AppCredentials(client_id=row.client_id, client_secret=row.client_secret)


@sensitive_variables("code", "account", "app")
def profile_authorize_finish(*, membership: Membership, pending: PendingConnection, code: str) -> SocialProfile:
    """Exchange the callback's code and store the profile the pending attempt was for."""
    adapter = _adapter_of_kind(pending.network, *OAUTH_KINDS)
    check_company_role(membership=membership, company=pending.company)
    label = adapter.label
    app = _finish_app(membership, adapter, pending)
    server = pending.instance_url
    # A server the person typed is reached through the guard; a network's own API directly.
    with egress.client() if server else make_client() as client:
        try:
            account = adapter.authorize_finish(
                app=app,
                code=code,
                redirect_uri=pending.redirect_uri,
                code_verifier=pending.code_verifier,
                client=client,
                server=server,
                options=selectors.network_settings_options(network=adapter.name, connect=True),
            )
        except ScopeDenied:
            raise _denied(label) from None
        except CredentialsDead:
            raise _refused(label) from None
        except RetryLater:
            raise _unreachable(server or label) from None
        except egress.Refused as error:
            raise ProfileConnectError(refused_message(error.host)) from None
        except NetworkError:
            raise _refused(label) from None
    return _store(membership, adapter.name, account, company=pending.company)
