"""What the supervisor starts: the action server and one Rasa server per RASA_URL."""

from __future__ import annotations

from pathlib import Path

from rasa_runtime.supervisor import server_specs
from shop.settings import Settings


def test_one_rasa_server_per_rasa_url_on_its_port(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    settings = Settings(_env_file=None, rasa_model=model,  # type: ignore[call-arg]
                        rasa_url="http://127.0.0.1:6101, http://127.0.0.1:6102")
    specs = server_specs(settings)
    assert [spec.name for spec in specs] == ["actions", "rasa", "rasa-2"]
    assert [spec.argv[spec.argv.index("--port") + 1] for spec in specs[1:]] == ["6101", "6102"]
    assert [spec.ready_url for spec in specs[1:]] == ["http://127.0.0.1:6101/status",
                                                      "http://127.0.0.1:6102/status"]
    assert all(spec.env["ACTION_ENDPOINT_URL"] == settings.action_server_url for spec in specs[1:])


def test_one_url_starts_one_rasa_server(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    settings = Settings(_env_file=None, rasa_model=model, rasa_url="http://127.0.0.1:5005")  # type: ignore[call-arg]
    assert [spec.name for spec in server_specs(settings)] == ["actions", "rasa"]


def test_rasa_runs_the_launcher_as_a_module_of_the_project(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    settings = Settings(_env_file=None, rasa_model=model, rasa_url="http://127.0.0.1:5005")  # type: ignore[call-arg]
    rasa = server_specs(settings, root=tmp_path)[1]
    assert rasa.argv[:3] == [str(tmp_path / ".venv-rasa" / "bin" / "python"), "-m", "rasa_runtime.launcher"]
    assert rasa.env["PYTHONPATH"] == str(tmp_path)
