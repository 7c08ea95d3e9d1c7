"""Connecting a profile, per network.

Every flow talks to the network first and stores the profile last (through
`services.profile_store`), so a refused connection leaves nothing half-made. Each
failure becomes a ProfileConnectError with a message for the person connecting.
"""

from __future__ import annotations

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
from networks import bluesky, egress, linkedin, x
from networks import mastodon_instance as mastodon
from networks.base import (
    AppCredentials,
    Credentials,
    CredentialsDead,
    NetworkError,
    RetryLater,
    Unsupported,
)
from networks.http import make_client
from networks.linkedin_pages import PAGE_SCOPES

if TYPE_CHECKING:
    from employees.models import Membership, SocialProfile
    from employees.profiles.oauth import PendingConnection
    from networks.base import Adapter


def _server_url(raw: str, *, network: str) -> str:
    """`https://host[:port]` from what was typed, or a message saying what is wrong."""
    try:
        server = mastodon.normalize_instance_url(raw, allow_private=private_hosts_allowed())
        # Names are resolved and checked by the guarded client when it connects.
        egress.check_url(server)
    except egress.SchemeRefused:
        raise ProfileConnectError(_("The address must start with https://.")) from None
    except egress.Refused:
        raise ProfileConnectError(refused_message(_typed_host(raw))) from None
    except (mastodon.InvalidInstanceURL, egress.InvalidAddress) as error:
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
        example = "mastodon.social" if network == "mastodon" else "bsky.social"
        raise ProfileConnectError(message % {"network": network.capitalize(), "example": example}) from None
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


# -- Bluesky: app password ------------------------------------------------------------


@sensitive_variables("app_password", "credentials")
def profile_connect_bluesky(
    *,
    membership: Membership,
    handle: str,
    app_password: str,
    pds_url: str = bluesky.DEFAULT_PDS,
    company: bool = False,
) -> SocialProfile:
    """Sign in once with an app password, read the followers, store the session."""
    check_company_role(membership=membership, company=company)
    server = _server_url(pds_url or bluesky.DEFAULT_PDS, network="bluesky")
    handle = handle.strip().removeprefix("@")
    try:
        credentials = bluesky.BlueskyAdapter.connect(handle, app_password, server)
    except CredentialsDead:
        raise ProfileConnectError(
            _(
                "Bluesky did not accept this handle and app password. Check both; the app password "
                "may have been deleted in Bluesky's settings."
            )
        ) from None
    except RetryLater:
        raise _unreachable(server) from None
    except egress.Refused as error:  # the typed server, or the PDS its DID document named
        raise ProfileConnectError(refused_message(error.host)) from None
    except NetworkError:
        raise ProfileConnectError(
            _("The server at %(server)s did not answer like a Bluesky server. Check the address.") % {"server": server}
        ) from None
    with bluesky.BlueskyAdapter(credentials) as adapter:
        try:
            followers = _followers(adapter)
        except egress.Refused as error:
            raise ProfileConnectError(refused_message(error.host)) from None
        except CredentialsDead:
            raise ProfileConnectError(
                _("Bluesky signed you in but then refused the session. Please try again.")
            ) from None
        credentials = adapter.credentials  # the SDK may have refreshed the session meanwhile
    return profile_store(
        membership=membership,
        company=company,
        network="bluesky",
        remote_id=str(credentials.extra["did"]),
        handle=str(credentials.extra.get("handle") or handle),
        credentials=credentials,
        followers=followers,
    )


# -- Facebook: the share dialog, nothing to sign in to --------------------------------


def profile_connect_facebook(*, membership: Membership, company: bool = False) -> SocialProfile:
    """Add Facebook as a place to share through the share dialog (measured by clicks)."""
    check_company_role(membership=membership, company=company)
    # No account id exists without a login Meta does not offer for posting: one
    # share-dialog profile per member, and one for the company.
    remote_id = "share-dialog:company" if company else f"share-dialog:{membership.id}"
    name = membership.organization.name if company else membership.user.get_full_name()
    return profile_store(
        membership=membership,
        company=company,
        network="facebook",
        remote_id=remote_id,
        handle=name,
        credentials=Credentials(access_token=""),
        clicks_only=True,
    )


# -- OAuth: start --------------------------------------------------------------------


def _app_for(membership: Membership, network: str, label: str) -> AppCredentials:
    app = selectors.network_app_credentials(organization_id=membership.organization_id, network=network)
    if app is None:
        raise _not_set_up(label)
    return app


def mastodon_authorize_start(
    *, membership: Membership, instance_url: str, redirect_uri: str, company: bool = False
) -> tuple[str, PendingConnection]:
    """The instance's authorize URL, and the pending attempt to keep in the session.

    Registers our app on the instance the first time anyone connects from it.
    """
    check_company_role(membership=membership, company=company)
    server = _server_url(instance_url, network="mastodon")
    app = _mastodon_app(server, redirect_uri)
    pending = oauth.pending_new(
        network="mastodon",
        membership_id=membership.id,
        redirect_uri=redirect_uri,
        company=company,
        instance_url=server,
    )
    url = mastodon.authorize_url(server, app, redirect_uri, pending.state, code_challenge=pending.code_challenge)
    return url, pending


def _mastodon_app(server: str, redirect_uri: str) -> AppCredentials:
    row = selectors.mastodon_app(instance_url=server)
    if row is not None and row.redirect_uri == redirect_uri:
        return AppCredentials(client_id=row.client_id, client_secret=row.client_secret)
    with egress.client() as client:
        try:
            mastodon.fetch_instance_info(server, client)
            app = mastodon.register_app(server, redirect_uri, client, client_name=settings.SITE_NAME)
        except RetryLater:
            raise _unreachable(server) from None
        except egress.Refused as error:
            raise ProfileConnectError(refused_message(error.host)) from None
        except NetworkError:
            raise ProfileConnectError(
                _("%(server)s does not look like a Mastodon server. Check the address (for example mastodon.social).")
                % {"server": server}
            ) from None
    try:
        with transaction.atomic():
            NetworkApp.objects.update_or_create(
                organization=None,
                network="mastodon",
                instance_url=server,
                defaults={"client_id": app.client_id, "client_secret": app.client_secret, "redirect_uri": redirect_uri},
            )
    except IntegrityError:
        # Registered by a concurrent request: use that registration, as the next one will.
        row = selectors.mastodon_app(instance_url=server)
        return AppCredentials(client_id=row.client_id, client_secret=row.client_secret)
    return app


def linkedin_authorize_start(
    *, membership: Membership, redirect_uri: str, company: bool = False
) -> tuple[str, PendingConnection]:
    check_company_role(membership=membership, company=company)
    app = _app_for(membership, "linkedin", "LinkedIn")
    pending = oauth.pending_new(
        network="linkedin", membership_id=membership.id, redirect_uri=redirect_uri, company=company
    )
    # Post analytics and follower counts need scopes LinkedIn grants to approved apps:
    # asking for them without approval makes LinkedIn refuse the whole sign-in.
    extra = str(getattr(settings, "LINKEDIN_EXTRA_SCOPES", "") or "").replace(",", " ").split()
    scopes = list(dict.fromkeys([*linkedin.CONNECT_SCOPES, *extra]))
    if company:
        # The company's LinkedIn presence is its page: post and read statistics as the organization.
        scopes = list(PAGE_SCOPES)
    return linkedin.authorize_url(app, redirect_uri, pending.state, scopes), pending


def x_authorize_start(
    *, membership: Membership, redirect_uri: str, company: bool = False
) -> tuple[str, PendingConnection]:
    check_company_role(membership=membership, company=company)
    app = _app_for(membership, "x", "X")
    pending = oauth.pending_new(network="x", membership_id=membership.id, redirect_uri=redirect_uri, company=company)
    return x.authorize_url(app, redirect_uri, pending.state, pending.code_challenge), pending


def profile_authorize_start(
    *, membership: Membership, network: str, redirect_uri: str, company: bool = False, instance_url: str = ""
) -> tuple[str, PendingConnection]:
    if network == "mastodon":
        return mastodon_authorize_start(
            membership=membership, instance_url=instance_url, redirect_uri=redirect_uri, company=company
        )
    if network == "linkedin":
        return linkedin_authorize_start(membership=membership, redirect_uri=redirect_uri, company=company)
    if network == "x":
        return x_authorize_start(membership=membership, redirect_uri=redirect_uri, company=company)
    raise ValueError(f"{network} does not connect through OAuth")


# -- OAuth: finish -------------------------------------------------------------------


@sensitive_variables("code", "credentials", "app")
def mastodon_authorize_finish(*, membership: Membership, pending: PendingConnection, code: str) -> SocialProfile:
    server = pending.instance_url
    row = selectors.mastodon_app(instance_url=server)
    if row is None:
        raise _refused("Mastodon")
    app = AppCredentials(client_id=row.client_id, client_secret=row.client_secret)
    with egress.client() as client:
        try:
            credentials = mastodon.exchange_code(
                server, app, code, pending.redirect_uri, client, code_verifier=pending.code_verifier
            )
            granted = set(credentials.extra.get("scopes") or [])
            if not granted & {"write", "write:statuses"}:
                raise _denied("Mastodon")
            account = mastodon.verify_credentials(server, credentials.access_token, client)
        except CredentialsDead:
            raise _refused("Mastodon") from None
        except RetryLater:
            raise _unreachable(server) from None
        except egress.Refused as error:
            raise ProfileConnectError(refused_message(error.host)) from None
        except NetworkError:
            raise _refused("Mastodon") from None
    host = urlsplit(server).netloc
    username = str(account.get("username") or account.get("acct") or account["id"])
    return profile_store(
        membership=membership,
        company=pending.company,
        network="mastodon",
        # Account ids are per instance.
        remote_id=f"{account['id']}@{host}",
        handle=f"@{username}@{host}",
        display_name=str(account.get("display_name") or ""),
        profile_url=str(account.get("url") or ""),
        credentials=credentials,
        followers=account.get("followers_count"),
    )


@sensitive_variables("code", "credentials", "app")
def linkedin_authorize_finish(*, membership: Membership, pending: PendingConnection, code: str) -> SocialProfile:
    app = _app_for(membership, "linkedin", "LinkedIn")
    with make_client() as client:
        try:
            credentials = linkedin.exchange_code(app, code, pending.redirect_uri, client)
            if linkedin.PUBLISH_SCOPE not in linkedin.scopes_of(credentials):
                raise _denied("LinkedIn")
            member = linkedin.fetch_member(credentials, client)
            credentials.extra |= {"sub": member["sub"], "person_urn": f"urn:li:person:{member['sub']}"}
            version = getattr(settings, "LINKEDIN_API_VERSION", "") or linkedin.DEFAULT_API_VERSION
            adapter = linkedin.LinkedInAdapter(credentials, app, client, api_version=version)
            followers = _followers(adapter)
        except CredentialsDead:
            raise _refused("LinkedIn") from None
        except RetryLater:
            raise _unreachable("LinkedIn") from None
        except NetworkError:
            raise _refused("LinkedIn") from None
    name = str(member.get("name") or "")
    return profile_store(
        membership=membership,
        company=pending.company,
        network="linkedin",
        remote_id=str(member["sub"]),
        handle=name,
        display_name=name,
        credentials=credentials,
        followers=followers,
        clicks_only=not adapter.measured,
    )


@sensitive_variables("code", "credentials", "app")
def x_authorize_finish(*, membership: Membership, pending: PendingConnection, code: str) -> SocialProfile:
    app = _app_for(membership, "x", "X")
    with make_client() as client:
        try:
            credentials = x.exchange_code(app, code, pending.redirect_uri, pending.code_verifier, client)
            if not x.REQUIRED_SCOPES.issubset(credentials.extra.get("scopes") or []):
                raise _denied("X")
            account = x.fetch_account(credentials, client)
        except CredentialsDead:
            raise _refused("X") from None
        except RetryLater:
            raise _unreachable("X") from None
        except NetworkError:
            raise _refused("X") from None
    username = str(account.get("username") or "")
    credentials.extra["username"] = username
    followers = (account.get("public_metrics") or {}).get("followers_count")
    return profile_store(
        membership=membership,
        company=pending.company,
        network="x",
        remote_id=str(account["id"]),
        handle=f"@{username}" if username else "",
        display_name=str(account.get("name") or ""),
        profile_url=x.profile_url(username) if username else "",
        credentials=credentials,
        followers=followers,
    )


def profile_authorize_finish(*, membership: Membership, pending: PendingConnection, code: str) -> SocialProfile:
    """Exchange the callback's code and store the profile the pending attempt was for."""
    finish = {"mastodon": mastodon_authorize_finish, "linkedin": linkedin_authorize_finish, "x": x_authorize_finish}
    if pending.network not in finish:
        raise ValueError(f"{pending.network} does not connect through OAuth")
    check_company_role(membership=membership, company=pending.company)
    return finish[pending.network](membership=membership, pending=pending, code=code)
