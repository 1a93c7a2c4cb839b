"""Encrypted histories: the payload codec, key rotation, the codec server, and a real call's raw history."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer

from activities.lockout import guard_workflow_id
from api.app import create_app
from api.codec import CodecServerConfig, ui_origins
from callengine.codec import (
    CodecConfigError,
    CodecError,
    EncryptionCodec,
    KeyRing,
    load_codec_token,
    load_keyring,
    new_key_entry,
)
from callengine.devserver import DevServerConfig, DevServerConfigError
from callengine.identity_key import load_identity_key
from callengine.settings import DEFAULT_SEED, REPO_ROOT, Settings
from callengine.temporal import data_converter
from tests import TEST_CODEC_KEYS, TEST_CODEC_TOKEN
from tests.conftest import Sandbox, WorkerFactory, start_call
from workflows import CallWorkflow

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]
PERSONAL = {
    "phone": MARIA["phone"],
    "phone digits": MARIA["phone"].removeprefix("+1"),
    "email": MARIA["email"],
    "name": MARIA["name"],
    "last name": MARIA["name"].split()[-1],
    "zip": MARIA["zip"],
}
UI = "http://127.0.0.1:8233"
K1 = new_key_entry("k1")
K2 = new_key_entry("k2")


def plain(data: bytes, **metadata: bytes) -> Payload:
    return Payload(metadata={"encoding": b"json/plain", **metadata}, data=data)


# ---------------------------------------------------------------- the codec


async def test_round_trip_hides_the_data_and_restores_the_payload() -> None:
    codec = EncryptionCodec(KeyRing.parse(K1))
    original = plain(b'{"caller_number": "+14155550101"}', messageType=b"CallInput")
    [encoded] = await codec.encode([original])
    assert encoded.metadata["encoding"] == b"binary/encrypted"
    assert encoded.metadata["encryption-key-id"] == b"k1"
    assert set(encoded.metadata) == {"encoding", "encryption-key-id"}  # the type is hidden too
    assert b"4155550101" not in encoded.SerializeToString()
    assert len(encoded.data) == 12 + len(original.SerializeToString()) + 16  # nonce + ciphertext + tag
    [decoded] = await codec.decode([encoded])
    assert decoded == original
    # A fresh nonce every time: the same value never encrypts to the same bytes.
    [again] = await codec.encode([original])
    assert again.data != encoded.data


async def test_key_rotation_old_payloads_still_decode_new_ones_use_the_new_key() -> None:
    before = EncryptionCodec(KeyRing.parse(K1))
    after = EncryptionCodec(KeyRing.parse(f"{K2},{K1}"))  # k2 first: active; k1 kept to read
    [old] = await before.encode([plain(b'"written before the rotation"')])
    [new] = await after.encode([plain(b'"written after"')])
    assert new.metadata["encryption-key-id"] == b"k2"
    assert [p.data for p in await after.decode([old, new])] == [
        b'"written before the rotation"',
        b'"written after"',
    ]
    # A process still on the old key list cannot read the new key's payloads, and says why.
    with pytest.raises(CodecError, match=r"key id 'k2', which is not configured \(configured: k1\)"):
        await before.decode([new])


async def test_unencrypted_payloads_pass_through() -> None:
    codec = EncryptionCodec(KeyRing.parse(K1))
    old = [plain(b'"from before encryption"'), Payload(metadata={"encoding": b"binary/null"})]
    assert await codec.decode(old) == old


async def test_tampered_or_wrong_key_payloads_are_refused() -> None:
    codec = EncryptionCodec(KeyRing.parse(K1))
    [encoded] = await codec.encode([plain(b'"x"')])
    tampered = Payload()
    tampered.CopyFrom(encoded)
    tampered.data = encoded.data[:-1] + bytes([encoded.data[-1] ^ 1])
    with pytest.raises(CodecError, match="failed authentication"):
        await codec.decode([tampered])
    impostor = EncryptionCodec(KeyRing.parse("k1:" + K2.split(":", 1)[1]))  # same id, other key
    with pytest.raises(CodecError, match="failed authentication"):
        await impostor.decode([encoded])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "holds no key"),
        ("k1", "must be 'KEY_ID:BASE64_KEY'"),
        ("k 1:" + K1.split(":", 1)[1], "must be 'KEY_ID:BASE64_KEY'"),
        ("k1:not base64!", "not valid base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "is 5 bytes; AES-256 needs 32"),
        (f"{K1},{K1}", "appears twice"),
    ],
)
def test_malformed_key_lists_are_refused_without_echoing_keys(spec: str, message: str) -> None:
    with pytest.raises(CodecConfigError, match=message) as err:
        KeyRing.parse(spec)
    assert K1.split(":", 1)[1] not in str(err.value)


async def test_the_shared_converter_encrypts_with_the_test_key_and_encodes_failure_messages() -> None:
    converter = data_converter()
    [payload] = await converter.encode([{"email": MARIA["email"]}])
    assert payload.metadata["encryption-key-id"] == TEST_CODEC_KEYS.split(":", 1)[0].encode()
    assert MARIA["email"].encode() not in payload.SerializeToString()
    assert await converter.decode([payload]) == [{"email": MARIA["email"]}]
    # Error messages can quote a caller: they travel encrypted too.
    failure = Failure()
    await converter.encode_failure(
        ApplicationError(f"no account for {MARIA['email']}", type="NotFound"), failure
    )
    assert failure.message == "Encoded failure"
    assert MARIA["email"].encode() not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError) and decoded.message == f"no account for {MARIA['email']}"


# ---------------------------------------------------------------- keys and tokens from the environment


def test_local_development_makes_a_key_and_token_once_and_reuses_them(tmp_path: Path) -> None:
    dev = {"CALLENGINE_ENV": "development"}
    first, again = load_keyring(dev, state_dir=tmp_path), load_keyring(dev, state_dir=tmp_path)
    assert first == again and first.active.startswith("dev-")
    token = load_codec_token(dev, state_dir=tmp_path)
    assert token == load_codec_token(dev, state_dir=tmp_path) and len(token) >= 32
    keys = tmp_path / "keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for f in keys.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert sorted(f.name for f in keys.iterdir()) == ["codec-keys", "codec-token"]  # no temp files left
    # Configured keys win over the local ones.
    assert load_keyring({"CALLENGINE_CODEC_KEYS": K2}, state_dir=tmp_path).active == "k2"


@pytest.mark.parametrize("mode", ["production", "staging", ""])
def test_outside_local_development_a_missing_key_or_token_is_refused(tmp_path: Path, mode: str) -> None:
    # Unset ("") is no choice at all: development keys are never made without being asked for.
    env = {"CALLENGINE_ENV": mode} if mode else {}
    with pytest.raises(
        CodecConfigError, match=f"CALLENGINE_CODEC_KEYS is not set.*CALLENGINE_ENV={mode or 'unset'}"
    ):
        load_keyring(env, state_dir=tmp_path)
    with pytest.raises(CodecConfigError, match="CALLENGINE_CODEC_TOKEN is not set"):
        load_codec_token(env, state_dir=tmp_path)
    assert not (tmp_path / "keys").exists()  # nothing was made up on the quiet
    with pytest.raises(CodecConfigError, match="at least 16 URL-safe"):
        load_codec_token({**env, "CALLENGINE_CODEC_TOKEN": "short"})
    # The API refuses to start without them (unset mode: it may read a local stack's key, never
    # its token).
    with pytest.raises(CodecConfigError, match=r"CALLENGINE_CODEC_(KEYS|TOKEN) is not set"):
        CodecServerConfig.from_env(Settings(), env)


def test_a_client_with_no_mode_reads_the_key_a_development_stack_made_and_never_makes_one(
    tmp_path: Path,
) -> None:
    # `callengine call` / `chat` in another shell next to `callengine up`: they must read its calls.
    made = load_keyring({"CALLENGINE_ENV": "development"}, state_dir=tmp_path)
    assert load_keyring({}, state_dir=tmp_path) == made
    # Production never does: only an unset mode, and only an existing key.
    with pytest.raises(CodecConfigError, match="CALLENGINE_CODEC_KEYS is not set"):
        load_keyring({"CALLENGINE_ENV": "production"}, state_dir=tmp_path)


async def test_a_production_worker_without_a_key_refuses_to_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLENGINE_CODEC_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "callengine",
        "worker",
        env={**env, "CALLENGINE_ENV": "production", "TEMPORAL_ADDRESS": "127.0.0.1:1"},
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode != 0
    assert "CALLENGINE_CODEC_KEYS is not set" in err.decode(), err.decode()[-2000:]


def test_the_dev_server_points_the_web_ui_at_the_codec_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CALLENGINE_API_PORT", "9099")
    cfg = DevServerConfig.load()
    settings = cfg.write_ui_settings(tmp_path / "keys" / "temporal-ui.yaml")
    assert settings is not None and settings.stat().st_mode & 0o777 == 0o600
    written = yaml.safe_load(settings.read_text())
    endpoint = written["env"]["callengine-dev"]["ui-codec-endpoint"]
    assert endpoint == f"http://127.0.0.1:9099/codec/t/{TEST_CODEC_TOKEN}"
    # The command line names the file, never the token: `ps` shows every command line.
    cmd = cfg.command("temporal", ui_settings=settings)
    assert cmd[cmd.index("--env-file") + 1] == str(settings) and "--ui-codec-endpoint" not in cmd
    assert not any(TEST_CODEC_TOKEN in arg for arg in cmd)


def test_a_codec_endpoint_template_with_unknown_fields_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "temporal-dev.yaml"
    path.write_text('ui_codec_endpoint: "http://127.0.0.1:{port}/codec"\n')
    with pytest.raises(DevServerConfigError, match=r"only \{api_port\} and \{token\}"):
        DevServerConfig.load(path)


# ---------------------------------------------------------------- the codec server


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    # Keys and token from the environment, as `callengine serve` reads them (the test key).
    app = create_app(Settings(), temporal=None, media_handler=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
        yield http


def as_json(payloads: list[Payload]) -> dict[str, Any]:
    return dict(json.loads(json_format.MessageToJson(Payloads(payloads=payloads))))


def from_json(body: dict[str, Any]) -> list[Payload]:
    return list(json_format.ParseDict(body, Payloads()).payloads)


BEARER = {"Authorization": f"Bearer {TEST_CODEC_TOKEN}"}


async def test_codec_server_round_trips_with_a_bearer_token(api: httpx.AsyncClient) -> None:
    original = [plain(b'{"zip": "94103"}'), Payload(metadata={"encoding": b"binary/null"})]
    body = as_json(original)
    # The wire shape the Web UI and the CLI send: base64 metadata values and data.
    assert body["payloads"][0]["metadata"]["encoding"] == base64.b64encode(b"json/plain").decode()
    enc = await api.post("/codec/encode", json=body, headers={**BEARER, "X-Namespace": "default"})
    assert enc.status_code == 200 and enc.headers["content-type"] == "application/json"
    encoded = from_json(enc.json())
    assert all(p.metadata["encoding"] == b"binary/encrypted" for p in encoded)
    assert b"94103" not in b"".join(p.SerializeToString() for p in encoded)
    dec = await api.post("/codec/decode", json=enc.json(), headers={**BEARER, "X-Namespace": "default"})
    assert dec.status_code == 200 and from_json(dec.json()) == original


async def test_codec_server_accepts_the_token_in_the_path_as_the_web_ui_sends_it(
    api: httpx.AsyncClient,
) -> None:
    [encoded] = await data_converter().encode(["hello"])
    # The UI appends /decode to its endpoint `…/codec/t/<token>` and sends only these headers.
    resp = await api.post(
        f"/codec/t/{TEST_CODEC_TOKEN}/decode",
        content=json_format.MessageToJson(Payloads(payloads=[encoded])),
        headers={"Content-Type": "application/json", "X-Namespace": "default", "Origin": UI},
    )
    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == UI
    assert from_json(resp.json())[0].data == b'"hello"'


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/codec/decode", {}, 401),
        ("/codec/decode", {"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ("/codec/decode", {"Authorization": "Bearer wrong-token-0123456789"}, 403),
        ("/codec/encode", {"Authorization": f"Bearer {TEST_CODEC_TOKEN}x"}, 403),
        ("/codec/t/wrong-token-0123456789/decode", {}, 403),
        ("/codec/t//decode", {}, 404),
    ],
)
async def test_codec_server_refuses_without_the_token(
    api: httpx.AsyncClient, path: str, headers: dict[str, str], status: int
) -> None:
    [encoded] = await data_converter().encode(["secret"])
    resp = await api.post(path, json=as_json([encoded]), headers=headers)
    assert resp.status_code == status
    assert "secret" not in resp.text
    if status == 401:
        assert resp.headers["www-authenticate"].startswith("Bearer")


async def test_codec_server_answers_bad_input_with_400(api: httpx.AsyncClient) -> None:
    resp = await api.post("/codec/decode", content=b"{not json", headers=BEARER)
    assert resp.status_code == 400
    foreign = EncryptionCodec(KeyRing.parse(new_key_entry("someone-elses")))
    [encoded] = await foreign.encode([plain(b'"x"')])
    resp = await api.post("/codec/decode", json=as_json([encoded]), headers=BEARER)
    assert resp.status_code == 400 and "someone-elses" in resp.text


@pytest.mark.parametrize("origin", [UI, "http://localhost:8233"])
@pytest.mark.parametrize("path", ["/codec/decode", f"/codec/t/{TEST_CODEC_TOKEN}/decode", "/codec/encode"])
async def test_codec_server_answers_the_web_ui_preflight(
    api: httpx.AsyncClient, origin: str, path: str
) -> None:
    resp = await api.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace,authorization",
        },
    )
    assert resp.status_code == 204
    assert resp.headers["access-control-allow-origin"] == origin
    assert "POST" in resp.headers["access-control-allow-methods"]
    allowed = {h.strip() for h in resp.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "x-namespace", "authorization"} <= allowed


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:8080", "null"])
async def test_codec_server_gives_other_origins_no_cors(api: httpx.AsyncClient, origin: str) -> None:
    pre = await api.options(
        "/codec/decode", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    [encoded] = await data_converter().encode(["x"])
    resp = await api.post("/codec/decode", json=as_json([encoded]), headers={**BEARER, "Origin": origin})
    assert "access-control-allow-origin" not in resp.headers


def test_ui_origins_follow_the_settings_and_extra_origins() -> None:
    origins = ui_origins(
        Settings(temporal_ui_url="http://localhost:9233/"),
        {"CALLENGINE_CODEC_CORS_ORIGINS": "https://temporal.example.com, not a url"},
    )
    assert origins == {
        "http://localhost:9233",
        "http://127.0.0.1:9233",
        "http://127.0.0.1:8233",
        "http://localhost:8233",
        "https://temporal.example.com",
    }


# ---------------------------------------------------------------- a real call's history


async def test_a_finished_calls_raw_history_holds_no_personal_data(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, api: httpx.AsyncClient
) -> None:
    async with worker() as tq:
        call = await start_call(temporal_client, tq)
        await call.turn("caller", f"Hi, this is {MARIA['name']}, my e-mail is {MARIA['email']}.")
        bad = await call.tool("identify_customer", email=MARIA["email"], phone=MARIA["phone"])
        assert not bad.ok  # two ways at once: refused, with the caller's input in the request
        found = await call.tool("identify_customer", email=MARIA["email"])
        assert found.ok and found.data["found"] is True
        last4 = MARIA["phone"][-4:]  # found by e-mail: the ZIP and a second factor
        assert not (await call.tool("verify_customer", zip="10001", phone_last4=last4)).data.get("verified")
        verified = await call.tool("verify_customer", zip=MARIA["zip"], phone_last4=last4)
        assert verified.data == {"verified": True, "first_name": "Maria"}
        assert (await call.tool("get_account")).ok
        assert (await call.tool("lookup_order", order_id="10482")).ok
        ticket = await call.tool(
            "create_ticket",
            subject="Call back",
            description=f"{MARIA['name']} ({MARIA['email']}, ZIP {MARIA['zip']}) wants a call back.",
        )
        assert ticket.ok
        await call.turn("agent", "Thanks Maria, your order shipped.", intent="order_status", confidence=0.9)
        await call.end("caller_hangup", resolved=True)
        result = await call.result()
    assert result.verified and result.customer_id == MARIA["id"]

    # A client without the codec sees exactly what the Temporal server stores.
    raw_client = await Client.connect(
        temporal_client.service_client.config.target_host, namespace=temporal_client.namespace
    )
    history = await raw_client.get_workflow_handle(call.workflow_id).fetch_history()
    raw = b"".join(e.SerializeToString() for e in history.events)
    assert len(history.events) > 20
    leaked = [what for what, value in PERSONAL.items() if value.encode() in raw]
    assert leaked == [], f"in plain text in the stored history: {leaked}"
    assert b"binary/encrypted" in raw and b"test-2" in raw
    # The account's verification guard (one failed check was counted) is encrypted the same way,
    # and its workflow id names nobody.
    guard_id = guard_workflow_id(load_identity_key(), tq, MARIA["id"])
    guard = await raw_client.get_workflow_handle(guard_id).fetch_history()
    guard_raw = b"".join(e.SerializeToString() for e in guard.events)
    assert [w for w, v in {**PERSONAL, "id": MARIA["id"]}.items() if v.encode() in guard_raw] == []

    # Positive control: the same bytes, decoded with the key, do hold the caller's data.
    started = next(
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
    )
    inputs = list(started.workflow_execution_started_event_attributes.input.payloads)
    [call_input] = await data_converter().decode(inputs)
    assert call_input["caller_number"] == MARIA["phone"]
    # …and so does the codec server, as the Web UI asks it.
    resp = await api.post(
        f"/codec/t/{TEST_CODEC_TOKEN}/decode", json=as_json(inputs), headers={"X-Namespace": "default"}
    )
    assert resp.status_code == 200 and MARIA["phone"].encode() in from_json(resp.json())[0].data

    # Workers replay encrypted histories like any other (tests/test_replay.py covers unencrypted ones).
    replayer = Replayer(workflows=[CallWorkflow], data_converter=data_converter())
    replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None, replayed.replay_failure

    # Search attributes stay readable (ops filter on them) and hold no personal data.
    query = f"WorkflowId = '{call.workflow_id}' AND CustomerId = '{MARIA['id']}' AND Outcome = 'resolved'"
    for _ in range(50):
        listed = [wf async for wf in raw_client.list_workflows(query)]
        if listed:
            break
        await asyncio.sleep(0.1)
    assert [wf.id for wf in listed] == [call.workflow_id]
    attrs = {k.name: v for k, v in listed[0].typed_search_attributes}  # type: ignore[attr-defined]
    assert attrs["Intent"] == "order_status" and attrs["CallSid"] == result.call_sid
    assert not [v for v in PERSONAL.values() if v in json.dumps({k: str(v) for k, v in attrs.items()})]


def test_the_path_token_never_reaches_the_access_log() -> None:
    from api.codec import RedactCodecToken

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", f"/codec/t/{TEST_CODEC_TOKEN}/decode", "1.1", 200),
        None,
    )
    assert RedactCodecToken().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "POST /codec/t/***/decode HTTP/1.1" 200'
    # Building the app installs the filter on uvicorn's access logger.
    create_app(Settings(), temporal=None, media_handler=None)
    assert any(isinstance(f, RedactCodecToken) for f in logging.getLogger("uvicorn.access").filters)


def test_new_key_prints_an_entry_the_key_list_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    from callengine.codec import main

    assert main(["new-key", "k20270101"]) == 0
    entry = capsys.readouterr().out.strip()
    assert KeyRing.parse(f"{entry},{K1}").active == "k20270101"
    assert main(["new-key", "bad id"]) == 2 and main([]) == 2
