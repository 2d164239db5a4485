"""The model server over real HTTP, started as an endpoint starts it (model.tar.gz -> process -> /ping)."""

from __future__ import annotations

import http.client
import io
import json
import tarfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

from localcloud.sagemaker import endpoints

FEATURES = 4


def _model_tarball(tmp_path: Path) -> tuple[bytes, xgb.Booster, np.ndarray]:
    rng = np.random.default_rng(3)
    features = rng.normal(size=(200, FEATURES)).astype(np.float32)
    labels = (features[:, 1] > 0).astype(int)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 2},
        xgb.DMatrix(features, label=labels),
        num_boost_round=5,
    )
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the default-format notice: UBJSON is what the container writes
        booster.save_model(model_dir / "xgboost-model")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(model_dir / "xgboost-model", arcname="xgboost-model")
    return buffer.getvalue(), booster, features


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, xgb.Booster, np.ndarray]:
    return _model_tarball(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Work directories of the servers go under the local cloud's state directory: keep it in tmp.
    directory = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCALCLOUD_STATE_DIR", str(directory))
        yield directory


def _server(model, environment: dict[str, str]) -> Iterator[endpoints.ModelServer]:
    server = endpoints.start_model_server(model[0], environment, "AllTraffic")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(model, state_dir: Path) -> Iterator[endpoints.ModelServer]:
    yield from _server(model, {})


@pytest.fixture(scope="module")
def selectable_server(model, state_dir: Path) -> Iterator[endpoints.ModelServer]:
    yield from _server(model, {"SAGEMAKER_INFERENCE_OUTPUT": "predicted_label,probability"})


def _post(server: endpoints.ModelServer, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("POST", "/invocations", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def _csv(rows: np.ndarray) -> bytes:
    return "\n".join(",".join(repr(float(v)) for v in row) for row in rows).encode()


def test_ping_answers_once_loaded(server: endpoints.ModelServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("GET", "/ping")
    assert connection.getresponse().status == 200
    connection.close()


@pytest.mark.parametrize("rows", [1, 5])
def test_csv_rows_get_the_boosters_predictions(server, model, rows: int) -> None:
    _, booster, features = model
    status, content_type, body = _post(server, _csv(features[:rows]), {"Content-Type": "text/csv"})
    assert (status, content_type) == (200, "text/csv")
    predictions = [float(value) for value in body.decode().split(",")]
    expected = booster.inplace_predict(features[:rows])
    assert predictions == pytest.approx(expected.tolist(), abs=1e-7)
    assert all(0.0 <= value <= 1.0 for value in predictions)


def test_without_selectable_output_accept_json_still_answers_csv_as_the_container(server, model) -> None:
    status, content_type, body = _post(
        server, _csv(model[2][:2]), {"Content-Type": "text/csv", "Accept": "application/json"}
    )
    assert (status, content_type) == (200, "text/csv")
    assert len(body.decode().split(",")) == 2


def test_selectable_output_answers_json_predictions(selectable_server, model) -> None:
    _, booster, features = model
    status, content_type, body = _post(
        selectable_server, _csv(features[:3]), {"Content-Type": "text/csv", "Accept": "application/json"}
    )
    assert (status, content_type) == (200, "application/json")
    predictions = json.loads(body)["predictions"]
    expected = booster.inplace_predict(features[:3])
    assert [p["probability"] for p in predictions] == pytest.approx(expected.tolist(), abs=1e-7)
    assert [p["predicted_label"] for p in predictions] == [int(v > 0.5) for v in expected]


def test_selectable_output_refuses_unknown_accept(selectable_server, model) -> None:
    status, _, body = _post(
        selectable_server, _csv(model[2][:1]), {"Content-Type": "text/csv", "Accept": "image/png"}
    )
    assert status == 406
    assert b"Accept type image/png is not supported" in body


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (
            b"1.0,2.0",
            {"Content-Type": "text/csv"},
            400,
            b"Feature size of csv inference data 2 is not consistent",
        ),
        (b"1,2,x,4", {"Content-Type": "text/csv"}, 415, b"Loading csv data failed"),
        (b"1,2,3,4\n1,2", {"Content-Type": "text/csv"}, 415, b"row 2 has 2 fields"),
        (
            b'{"instances": [[1, 2, 3, 4]]}',
            {"Content-Type": "application/json"},
            415,
            b"application/json not",
        ),
    ],
)
def test_malformed_payloads_get_4xx_with_a_message(server, body, headers, status, message) -> None:
    answered, _, text = _post(server, body, headers)
    assert answered == status
    assert message in text


def test_empty_payload_gets_no_content(server) -> None:
    assert _post(server, b"", {"Content-Type": "text/csv"})[0] == 204


def test_a_model_that_does_not_load_fails_the_start_with_a_reason(state_dir: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("xgboost-model")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"junk!"))
    with pytest.raises(
        endpoints.DeploymentFailed, match=r"did not pass the ping health check: .*Unable to load"
    ):
        endpoints.start_model_server(buffer.getvalue(), {}, "AllTraffic")
