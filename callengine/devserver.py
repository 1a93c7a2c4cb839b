"""The local Temporal dev server, configured by `temporal-dev.yaml`.

`callengine up` and the test suite both read the same file, so the search
attributes and dynamic config that tests run against are the ones a
developer's Web UI shows.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from callengine.settings import REPO_ROOT, STATE_DIR, Settings

CONFIG_PATH = REPO_ROOT / "temporal-dev.yaml"
# The Web UI's settings that hold a secret (the codec endpoint with its token), for the dev
# server to read at start (`write_ui_settings`); in the owner-only keys directory.
UI_SETTINGS_PATH = STATE_DIR / "keys" / "temporal-ui.yaml"
UI_ENV_NAME = "callengine-dev"

# The CLI's type names, with the SDK key factory and the server's index type for each.
_TYPES: dict[str, tuple[Callable[[str], SearchAttributeKey[Any]], IndexedValueType.ValueType]] = {
    "Keyword": (SearchAttributeKey.for_keyword, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
    "Text": (SearchAttributeKey.for_text, IndexedValueType.INDEXED_VALUE_TYPE_TEXT),
    "Int": (SearchAttributeKey.for_int, IndexedValueType.INDEXED_VALUE_TYPE_INT),
    "Double": (SearchAttributeKey.for_float, IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE),
    "Bool": (SearchAttributeKey.for_bool, IndexedValueType.INDEXED_VALUE_TYPE_BOOL),
    "Datetime": (SearchAttributeKey.for_datetime, IndexedValueType.INDEXED_VALUE_TYPE_DATETIME),
    "KeywordList": (SearchAttributeKey.for_keyword_list, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST),
}


class DevServerConfigError(ValueError):
    """temporal-dev.yaml is missing or wrong."""


@dataclass(frozen=True)
class DevServerConfig:
    """The parsed `temporal-dev.yaml`."""

    namespace: str = "default"
    ip: str = "127.0.0.1"
    port: int = 7233
    ui_port: int = 8233
    http_port: int | None = None
    metrics_port: int | None = None
    db_filename: str = ""
    log_level: str = "warn"
    log_format: str = "json"
    ui_disable_news_fetch: bool = True
    ui_codec_endpoint: str = ""
    search_attributes: dict[str, str] = field(default_factory=dict)
    dynamic_config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> DevServerConfig:
        """Read and check the file."""
        try:
            raw = yaml.safe_load(path.read_text())
        except FileNotFoundError as e:
            raise DevServerConfigError(f"{path} not found") from e
        except yaml.YAMLError as e:
            raise DevServerConfigError(f"{path} is not valid YAML: {e}") from e
        if not isinstance(raw, dict):
            raise DevServerConfigError(f"{path} must be a mapping")
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise DevServerConfigError(f"{path}: unknown keys {sorted(unknown)}")
        cfg = cls(**raw)
        bad = {k: v for k, v in cfg.search_attributes.items() if v not in _TYPES}
        if bad:
            raise DevServerConfigError(f"{path}: unknown search attribute types {bad}; use {sorted(_TYPES)}")
        try:
            cfg.ui_codec_endpoint.format(api_port=0, token="")
        except (KeyError, IndexError, ValueError) as e:
            raise DevServerConfigError(
                f"{path}: ui_codec_endpoint may use only {{api_port}} and {{token}} ({e!r})"
            ) from None
        return cfg

    @property
    def address(self) -> str:
        """The frontend's host:port."""
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str:
        """The Web UI's base URL."""
        return f"http://{self.ip}:{self.ui_port}"

    def codec_endpoint(self) -> str:
        """The Web UI's codec endpoint, `{api_port}` and `{token}` filled in from the environment.

        The token is the codec server's (api/codec.py), in the path because the UI cannot send
        our header; it is read only when the template asks for it.
        """
        template = self.ui_codec_endpoint
        if not template:
            return ""
        from callengine.codec import load_codec_token

        return template.format(
            api_port=Settings.from_env().api_port,
            token=load_codec_token() if "{token}" in template else "",
        )

    def search_attribute_keys(self) -> list[SearchAttributeKey[Any]]:
        """The configured search attributes as SDK keys (for the test server)."""
        return [_TYPES[t][0](name) for name, t in self.search_attributes.items()]

    def dynamic_config_args(self) -> list[str]:
        """`--dynamic-config-value K=V` pairs (values are JSON)."""
        args: list[str] = []
        for key, value in self.dynamic_config.items():
            args += ["--dynamic-config-value", f"{key}={json.dumps(value)}"]
        return args

    def write_ui_settings(self, path: Path = UI_SETTINGS_PATH) -> Path | None:
        """Write the Web UI's codec endpoint to an owner-only file; None when there is none.

        The endpoint carries the codec token (the UI sends no header of ours), and a command
        line is readable by every user of the machine (`ps`), so the dev server reads it from
        this file instead: the `temporal` CLI's environment file, whose entries set flags
        (`--env-file FILE --env NAME`; only the path and the name are on the command line).
        """
        endpoint = self.codec_endpoint()
        if not endpoint:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        text = yaml.safe_dump({"env": {UI_ENV_NAME: {"ui-codec-endpoint": endpoint}}})
        # Created 0600 and written in place of any older file: never readable by others, not
        # even for the moment between creating and restricting it.
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
        return path

    def command(
        self, temporal_bin: str, *, with_search_attributes: bool = True, ui_settings: Path | None = None
    ) -> list[str]:
        """The full `temporal server start-dev` command line (no secret is ever on it).

        Args:
            temporal_bin: The `temporal` CLI.
            with_search_attributes: Register the search attributes at start.
            ui_settings: The file `write_ui_settings` wrote: the Web UI decodes calls through
                the codec server. None: the UI shows payloads as stored (ciphertext).
        """
        cmd = [
            temporal_bin,
            "server",
            "start-dev",
            "--namespace",
            self.namespace,
            "--ip",
            self.ip,
            "--port",
            str(self.port),
            "--ui-port",
            str(self.ui_port),
            "--log-level",
            self.log_level,
            "--log-format",
            self.log_format,
        ]
        if self.http_port:
            cmd += ["--http-port", str(self.http_port)]
        if self.metrics_port:
            cmd += ["--metrics-port", str(self.metrics_port)]
        if self.db_filename:
            db = Path(self.db_filename)
            db = db if db.is_absolute() else REPO_ROOT / db
            db.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--db-filename", str(db)]
        if self.ui_disable_news_fetch:
            cmd.append("--ui-disable-news-fetch")
        if ui_settings is not None:
            cmd += ["--env-file", str(ui_settings), "--env", UI_ENV_NAME]
        if with_search_attributes:
            for name, kind in self.search_attributes.items():
                cmd += ["--search-attribute", f"{name}={kind}"]
        return cmd + self.dynamic_config_args()


def temporal_binary() -> str:
    """The `temporal` CLI installed by the temporal-bin package (next to this Python)."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.is_file():
        return str(beside)
    found = shutil.which("temporal")
    if found is None:
        raise FileNotFoundError("the `temporal` CLI is missing: install the project (it needs temporal-bin)")
    return found


async def wait_until_ready(address: str, namespace: str, timeout_s: float = 60.0) -> Client:
    """Connect, retrying until the frontend answers or the time is up."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            client = await Client.connect(address, namespace=namespace)
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
            return client
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"Temporal at {address} did not come up within {timeout_s:.0f}s") from None
            await asyncio.sleep(0.25)


async def ensure_search_attributes(client: Client, cfg: DevServerConfig) -> list[str]:
    """Register any configured search attribute the server lacks; returns those added."""
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=cfg.namespace)
    )
    have = set(existing.custom_attributes) | set(existing.system_attributes)
    missing = {name: kind for name, kind in cfg.search_attributes.items() if name not in have}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=cfg.namespace,
                search_attributes={n: _TYPES[k][1] for n, k in missing.items()},
            )
        )
    return sorted(missing)
