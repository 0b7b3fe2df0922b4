"""The ``gridcase`` command: its groups, each from its own module."""

from typer.testing import CliRunner

from gridcase_cli.main import app


def test_every_command_group_is_reachable() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("dev", "token", "hotline", "directory", "policies", "topics", "pii", "report"):
        assert group in result.output


def test_an_unknown_role_is_refused_before_anything_is_minted() -> None:
    result = CliRunner().invoke(app, ["token", "mint", "--sub", "x", "--role", "mayor"])
    assert result.exit_code == 2
    assert "unknown role mayor" in result.output


def test_the_directory_group_offers_republishing_the_areas() -> None:
    result = CliRunner().invoke(app, ["directory", "--help"])
    assert result.exit_code == 0
    assert "republish-areas" in result.output
