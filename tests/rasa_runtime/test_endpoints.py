"""endpoints.yml as Rasa reads it: the lock store is in memory by default, Redis when configured.

Rasa expands ${VAR} in endpoints.yml and refuses an unset one, so rasa_runtime/supervisor.py sets
every variable; this reads the file with Rasa's own loader in .venv-rasa, as `rasa run` does.
"""

from __future__ import annotations

import pytest

from rasa_runtime.supervisor import lock_store_env, rasa_env, rasa_sql_url
from shop.settings import Settings
from tests.rasa_runtime.rasa_python import in_rasa

READ = """
import json
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config
store = LockStore.create(read_endpoint_config("endpoints.yml", "lock_store"))
tracker = read_endpoint_config("endpoints.yml", "tracker_store")
red = getattr(store, "red", None)
kwargs = red.connection_pool.connection_kwargs if red else {}
redis = [kwargs.get(key) for key in ("host", "port", "db", "password")]
print(json.dumps({"lock_store": type(store).__name__, "tracker_url": tracker.url, "redis": redis}))
"""


def read_with_rasa(settings: Settings) -> dict[str, object]:
    return in_rasa(READ, env=rasa_env(settings))


def test_one_rasa_server_locks_in_memory() -> None:
    settings = Settings(_env_file=None, rasa_tracker_store_url="sqlite:////tmp/t.db")  # type: ignore[call-arg]
    read = read_with_rasa(settings)
    assert read["lock_store"] == "InMemoryLockStore"
    assert read["tracker_url"] == "sqlite:////tmp/t.db"


def test_several_rasa_servers_lock_in_redis_and_track_in_postgres() -> None:
    settings = Settings(_env_file=None,  # type: ignore[call-arg]
                        rasa_lock_store_url="redis://:s3cret@10.0.0.5:6380/3",
                        rasa_tracker_store_url="postgresql+psycopg://rasa@db:5432/tracker")
    read = read_with_rasa(settings)
    assert read["lock_store"] == "RedisLockStore"
    assert read["redis"] == ["10.0.0.5", 6380, 3, "s3cret"]
    assert read["tracker_url"] == "postgresql://rasa@db:5432/tracker"  # psycopg2, Rasa's driver


def test_the_variables_the_supervisor_sets() -> None:
    assert lock_store_env(None)["RASA_LOCK_STORE_TYPE"] == "in_memory"
    assert lock_store_env("redis://127.0.0.1/")["RASA_LOCK_STORE_DB"] == "1"
    assert rasa_sql_url("sqlite:///var/x.db") == "sqlite:///var/x.db"
    assert rasa_sql_url("postgresql+psycopg://u@h/d") == "postgresql://u@h/d"


def test_a_lock_store_url_must_be_redis() -> None:
    from shop.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="RASA_LOCK_STORE_URL"):
        load_settings(_env_file=None, rasa_lock_store_url="memcached://x")
