"""Signed links and cookies: what verifies, what never does, and where the secret may live."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cli
from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.core.tokens import SECRET_ENV, BadToken, Signer, load_secret
from disclosure_calendar.ledger import Ledger
from disclosure_calendar.web.ratelimit import AccessLimiter, FailureLimiter

SECRET = b"unit-test-secret-0123456789abcdef"
NOW = dt.datetime(2026, 11, 25, 1, 30, tzinfo=dt.UTC)
MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal.yaml"
SIGNER = Signer(SECRET)
GRANT, TOKEN = SIGNER.issue("unit", "finance", NOW, 30)


def test_a_link_verifies_until_it_expires() -> None:
    assert SIGNER.verify_link(TOKEN, NOW) == GRANT
    assert GRANT.actor == "unit:finance" and GRANT.may_see("finance") and not GRANT.may_see("shiqi")
    with pytest.raises(BadToken, match="expired"):
        SIGNER.verify_link(TOKEN, NOW + dt.timedelta(days=30))


@given(st.integers(min_value=0, max_value=len(TOKEN) - 1), st.sampled_from("AbZ09_-."))
def test_any_changed_character_breaks_the_link(position: int, char: str) -> None:
    tampered = TOKEN[:position] + char + TOKEN[position + 1 :]
    if tampered == TOKEN:
        return
    with pytest.raises(BadToken):
        SIGNER.verify_link(tampered, NOW)


def test_keys_are_separate_per_use() -> None:
    cookie, _ = SIGNER.session(GRANT, NOW, 12)
    with pytest.raises(BadToken):
        SIGNER.verify_link(cookie, NOW)  # a cookie is not a link
    with pytest.raises(BadToken):
        SIGNER.verify_session(TOKEN, NOW)  # nor a link a cookie
    with pytest.raises(BadToken):
        Signer(b"another-secret-0123456789abcdef").verify_link(TOKEN, NOW)


def test_session_ends_after_its_hours_or_with_the_link() -> None:
    cookie, until = SIGNER.session(GRANT, NOW, 12)
    assert until == NOW + dt.timedelta(hours=12)
    grant, nonce = SIGNER.verify_session(cookie, NOW + dt.timedelta(hours=11))
    assert grant.id == GRANT.id and SIGNER.csrf_ok(nonce, SIGNER.csrf(nonce))
    assert not SIGNER.csrf_ok(nonce, SIGNER.csrf(nonce + "x"))
    with pytest.raises(BadToken):
        SIGNER.verify_session(cookie, NOW + dt.timedelta(hours=12))
    _, short = SIGNER.issue("unit", "finance", NOW, 1)
    _, until = SIGNER.session(SIGNER.verify_link(short, NOW), NOW + dt.timedelta(hours=20), 12)
    assert until == NOW + dt.timedelta(days=1)


def test_secret_from_env_or_file_never_inside_out(tmp_path: Path) -> None:
    assert load_secret({SECRET_ENV: " abcdefghijklmnopq "}, None) == b"abcdefghijklmnopq"
    with pytest.raises(DisclosureError, match="no secret"):
        load_secret({}, None)
    with pytest.raises(DisclosureError, match="shorter than 16"):
        load_secret({SECRET_ENV: "short"}, None)
    out = tmp_path / "out"
    out.mkdir()
    (out / "key").write_text("x" * 40)
    with pytest.raises(DisclosureError, match="must not be inside"):
        load_secret({}, out / "key", out)
    (tmp_path / "key").write_text("y" * 40 + "\n")
    assert load_secret({}, tmp_path / "key", out) == b"y" * 40


def test_limiter_blocks_after_the_allowance_and_forgets_after_the_window() -> None:
    now = [0.0]
    limiter = FailureLimiter(max_failures=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert not limiter.blocked("a")
        limiter.fail("a")
    assert limiter.blocked("a") and not limiter.blocked("b")
    now[0] = 61
    assert not limiter.blocked("a")


def test_access_limiter_counts_per_link_and_per_address_ipv6_by_its_64() -> None:
    limiter = AccessLimiter(per_link=2, per_address=4, window=60, clock=lambda: 0.0)
    limiter.fail("old-link", "203.0.113.5")
    limiter.fail("old-link", "203.0.113.6")
    assert limiter.blocked("old-link", "198.51.100.1")  # that link, from anywhere
    assert not limiter.blocked("other-link", "203.0.113.5")
    # One host may use every address of its /64: they count as one; an IPv4-mapped address
    # counts as the IPv4 address.
    for n in range(4):
        limiter.fail(f"guess-{n}", f"2001:db8:1:2::{n + 1}")
    assert limiter.blocked("guess-new", "2001:db8:1:2:ffff::9")
    assert not limiter.blocked("guess-new", "2001:db8:1:3::1")
    limiter.fail("x1", "::ffff:192.0.2.9")
    limiter.fail("x2", "192.0.2.9")
    limiter.fail("x3", "::ffff:192.0.2.9")
    limiter.fail("x4", "192.0.2.9")
    assert limiter.blocked("x5", "192.0.2.9")


def test_access_commands(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    env = {SECRET_ENV: SECRET.decode(), "DISCLOSURE_CALENDAR_FAKE_CLOCK": "2026-11-25T09:30"}
    base = ["-f", str(MINIMAL), "access"]
    runner = CliRunner()
    issued = runner.invoke(
        cli.main, [*base, "issue", "--unit", "finance", "--db", str(db)], env=env
    )
    assert issued.exit_code == 0, issued.output
    link = issued.output.strip()
    assert link.startswith("https://cal.test.example/feeds/access/v1.")
    grant = SIGNER.verify_link(link.rsplit("/", 1)[1], NOW)
    assert (grant.unit, grant.expires) == ("finance", NOW + dt.timedelta(days=90))
    listed = runner.invoke(cli.main, [*base, "list", "--db", str(db)], env=env)
    assert grant.id in listed.output and "live" in listed.output
    revoked = runner.invoke(cli.main, [*base, "revoke", grant.id, "--db", str(db)], env=env)
    assert revoked.exit_code == 0 and f"revoked: {grant.id}" in revoked.output
    with Ledger(db) as ledger:
        assert ledger.is_revoked(grant.id)
        assert [e.action for e in ledger.audit_log(5)] == ["access-revoked", "access-issued"]
    for args, message in [
        (["issue", "--unit", "nobody"], "unknown unit 'nobody'"),
        (["issue"], "give either --unit ID or --coordinator"),
        (["revoke", "0000"], "no such live link"),
    ]:
        result = runner.invoke(cli.main, [*base, *args, "--db", str(db)], env=env)
        assert (
            result.exit_code != 0 and message in result.output and "Traceback" not in result.output
        )
    no_secret = runner.invoke(
        cli.main, [*base, "issue", "--coordinator", "--db", str(db)], env={SECRET_ENV: ""}
    )
    assert no_secret.exit_code == 1 and "no secret" in no_secret.output
