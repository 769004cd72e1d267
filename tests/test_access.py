"""Who may do what, decided without the UI: the roles file, the actor, and where the server may
listen. Every expected value here is stated by hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import access
from analysis.access import ADMIN, VIEWER, Actor, Roles, RolesFileError, parse_roles
from analysis.errors import AccessDenied

ROLES_FILE = """
[roles]
"Dana.Lee@Example.com" = "admin"
"example.com" = "viewer"
"@partner.org" = "viewer"
"sam@partner.org" = "admin"
"ops@example.com" = "Viewer"
"""


@pytest.mark.parametrize(
    "email, role",
    [
        ("dana.lee@example.com", ADMIN),  # the exact email, whatever the case in the file
        ("DANA.LEE@EXAMPLE.COM", ADMIN),  # ... or in the token
        ("  dana.lee@example.com ", ADMIN),
        ("lee@example.com", VIEWER),  # the domain
        ("sam@partner.org", ADMIN),  # an exact email beats its domain's role
        ("kim@partner.org", VIEWER),  # "@partner.org" is a domain too
        ("ops@example.com", VIEWER),  # role names ignore case
        ("kim@sub.example.com", None),  # a domain is that domain only, not its subdomains
        ("kim@example.com.evil.net", None),
        ("kim@otherexample.com", None),
        ("example.com", None),  # not an address
        ("dana.lee@example.com@evil.net", None),
        ("", None),
        (None, None),
    ],
)
def test_a_role_comes_from_the_exact_email_first_then_the_domain(email, role):
    assert parse_roles(ROLES_FILE).role_of(email) == role


@pytest.mark.parametrize(
    "text, complaint",
    [
        ('[roles]\n"a@example.com" = "owner"\n', "'a@example.com' has the role 'owner'"),
        ('[roles]\n"a@example.com" = 1\n', "has the role 1"),
        ('[roles]\n"just a name" = "viewer"\n', "neither an email address"),
        ('[roles]\n"a@b.com" = "admin"\n"A@B.com" = "viewer"\n', "listed twice"),
        ('[people]\n"a@b.com" = "admin"\n', "unexpected section people"),
        ('roles = "admin"\n', "[roles] must be a table"),
        ("[roles\n", "is not valid TOML"),
    ],
)
def test_a_roles_file_with_a_mistake_is_refused_in_plain_words(text, complaint):
    with pytest.raises(RolesFileError) as refused:
        parse_roles(text, source="roles.toml")
    assert complaint in str(refused.value)
    assert str(refused.value).startswith("roles.toml")


def test_the_same_entry_twice_with_one_role_is_fine():
    roles = parse_roles('[roles]\n"a@b.com" = "admin"\n"A@B.COM" = "admin"\n')
    assert roles.by_email == {"a@b.com": ADMIN}


def test_no_roles_file_lets_nobody_in(tmp_path: Path):
    assert access.load_roles(tmp_path / "missing.toml") == Roles()
    assert access.load_roles(tmp_path / "missing.toml").role_of("dana@example.com") is None


def test_an_edited_roles_file_applies_without_a_restart(tmp_path: Path):
    path = tmp_path / "roles.toml"
    path.write_text('[roles]\n"dana@example.com" = "admin"\n', encoding="utf-8")
    assert access.load_roles(path).role_of("dana@example.com") == ADMIN
    path.write_text('[roles]\n"dana@example.com" = "viewer"\n', encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
    assert access.load_roles(path).role_of("dana@example.com") == VIEWER


def test_the_roles_file_is_found_through_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(access.ROLES_ENV_VAR, raising=False)
    assert access.roles_path() == access.DEFAULT_ROLES_FILE
    assert access.DEFAULT_ROLES_FILE.parent.name == ".streamlit"
    monkeypatch.setenv(access.ROLES_ENV_VAR, str(tmp_path / "roles.toml"))
    assert access.roles_path() == tmp_path / "roles.toml"


def test_the_committed_example_roles_file_reads():
    example = access.DEFAULT_ROLES_FILE.with_name("roles.example.toml")
    roles = parse_roles(example.read_text(encoding="utf-8"))
    assert roles.role_of("lnd.lead@example.com") == ADMIN
    assert roles.role_of("someone@example.com") == VIEWER


@pytest.mark.parametrize(
    "claims, expected",
    [
        ({"email": "Dana.Lee@example.com"}, Actor("Dana.Lee@example.com", ADMIN)),
        ({"email": "lee@example.com", "email_verified": True}, Actor("lee@example.com", VIEWER)),
        # a provider that says it has not verified the address: no role, whatever the file says
        (
            {"email": "dana.lee@example.com", "email_verified": False},
            Actor("dana.lee@example.com", None),
        ),
        ({"email": "kim@elsewhere.net"}, Actor("kim@elsewhere.net", None)),
        ({"name": "No Email"}, Actor("(no email address)", None)),
    ],
)
def test_a_signed_in_person_is_an_actor_with_the_role_the_file_gives(claims, expected):
    assert access.signed_in_actor(claims, parse_roles(ROLES_FILE)) == expected


@pytest.mark.parametrize(
    "actor, role, allowed",
    [
        (Actor("a@b.com", ADMIN), ADMIN, True),
        (Actor("a@b.com", ADMIN), VIEWER, True),
        (Actor("a@b.com", VIEWER), VIEWER, True),
        (Actor("a@b.com", VIEWER), ADMIN, False),
        (Actor("a@b.com", None), VIEWER, False),
        (Actor("a@b.com", None), ADMIN, False),
    ],
)
def test_an_admin_may_do_what_a_viewer_may_and_more(actor, role, allowed):
    assert access.allows(actor, role) is allowed


def test_a_refusal_names_the_person_and_what_they_lack():
    with pytest.raises(AccessDenied) as refused:
        access.require(Actor("lee@example.com", VIEWER), ADMIN, "undoing a load")
    assert str(refused.value) == (
        "Not authorised: undoing a load needs the admin role, and lee@example.com has the "
        "viewer role. Nothing was changed."
    )


def test_the_command_line_is_named_by_the_person_running_it():
    import getpass

    actor = access.command_line_actor()
    assert actor == Actor(f"command line ({getpass.getuser()})", ADMIN)


@pytest.mark.parametrize(
    "address, loopback",
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),  # Streamlit's "unset": every interface
        (None, False),
        ("192.168.1.20", False),
        ("dashboard.example.com", False),
    ],
)
def test_only_loopback_addresses_are_this_computer(address, loopback):
    assert access.is_loopback(address) is loopback


@pytest.mark.parametrize(
    "sign_in, address, allow_remote, mode",
    [
        (True, None, False, access.SIGN_IN),
        (True, "0.0.0.0", False, access.SIGN_IN),
        (False, "127.0.0.1", False, access.LOCAL),
        (False, "127.0.0.1", True, access.LOCAL),
        (False, "0.0.0.0", True, access.OPEN),
        (False, "0.0.0.0", False, access.GUARDED),
        (False, None, False, access.GUARDED),  # `streamlit run` with no address: every interface
    ],
)
def test_how_the_server_is_reachable(sign_in, address, allow_remote, mode):
    assert access.serving_mode(sign_in, address, allow_remote) == mode


@pytest.mark.parametrize(
    "mode, client_ip, expected",
    [
        (access.LOCAL, None, access.LOCAL_USER),
        (access.OPEN, None, access.LOCAL_USER),
        (access.OPEN, "127.0.0.1", access.LOCAL_USER),
        (access.OPEN, "10.1.2.3", Actor("no sign-in, from 10.1.2.3", ADMIN)),
        (access.GUARDED, None, access.LOCAL_USER),
        (access.GUARDED, "::1", access.LOCAL_USER),
        (access.GUARDED, "10.1.2.3", None),
    ],
)
def test_without_sign_in_only_this_computer_is_served_unless_the_flag_says_otherwise(
    mode, client_ip, expected
):
    assert access.unsigned_actor(mode, client_ip) == expected


@pytest.mark.parametrize(
    "args, sign_in, allow_remote, address, refused",
    [
        ([], False, False, "127.0.0.1", False),
        (["--server.port", "8600"], False, False, "127.0.0.1", False),
        (["--server.address", "127.0.0.1"], False, False, None, False),
        (["--server.address=localhost"], False, False, None, False),
        (["--server.address", "0.0.0.0"], False, False, None, True),
        (["--server.address=192.168.1.20"], False, False, None, True),
        ([], False, True, "0.0.0.0", False),
        (["--server.address", "192.168.1.20"], False, True, None, False),
        ([], True, False, None, False),  # with sign-in: as the deployer configures
        (["--server.address", "0.0.0.0"], True, False, None, False),
        # what follows "--" belongs to the dashboard, not to streamlit
        (["--", "--server.address", "0.0.0.0"], False, False, "127.0.0.1", False),
    ],
)
def test_the_run_script_binds_loopback_unless_sign_in_or_the_flag(
    args, sign_in, allow_remote, address, refused
):
    plan = access.launch_plan(args, sign_in, allow_remote)
    assert plan.address == address
    assert (plan.refusal is not None) is refused
    if refused:
        assert "--allow-remote" in plan.refusal and "sign-in" in plan.refusal


def test_the_run_script_finds_sign_in_where_streamlit_looks(tmp_path: Path):
    home, cwd = tmp_path / "home", tmp_path / "app"
    assert access.secrets_files([], cwd, home) == [
        home / ".streamlit" / "secrets.toml",
        cwd / ".streamlit" / "secrets.toml",
    ]
    assert access.auth_section_in(access.secrets_files([], cwd, home)) == {}
    elsewhere = tmp_path / "deploy" / "secrets.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text('[auth]\nclient_id = "x"\n', encoding="utf-8")
    files = access.secrets_files(["--secrets.files", str(elsewhere)], cwd, home)
    assert files == [elsewhere]
    assert access.sign_in_configured(access.auth_section_in(files))


@pytest.mark.parametrize(
    "auth, providers",
    [
        ({}, []),
        ({"redirect_uri": "x", "cookie_secret": "y", "client_id": "c"}, [None]),
        (
            {"redirect_uri": "x", "cookie_secret": "y", "microsoft": {"client_id": "c"}},
            ["microsoft"],
        ),
        ({"client_id": "c", "okta": {"client_id": "d"}}, [None, "okta"]),
        ({"redirect_uri": "x"}, []),  # half-written: sign-in is on, with no provider to offer
    ],
)
def test_the_providers_a_secrets_auth_section_offers(auth, providers):
    assert access.sign_in_providers(auth) == providers
    assert access.sign_in_configured(auth) is bool(auth)
