"""HTTP model server speaking SageMaker's inference protocol as the XGBoost 3.0-5 container does.

    GET  /ping          200 once the model is loaded
    POST /invocations   text/csv rows without label -> predictions

Run as `python -m localcloud.sagemaker.model_server --model-dir <dir> [--port 0]`; the first line on
stdout is `LISTENING <port>`. Behaviour follows the container's algorithm-mode server: input must be
text/csv (the default when no Content-Type is sent); the response is the predictions joined by commas
as text/csv. When the model's environment sets SAGEMAKER_INFERENCE_OUTPUT (selectable inference
output, e.g. `predicted_label,probability`), the Accept header chooses text/csv, application/json
(`{"predictions": [{...}]}`) or application/jsonlines. The container does not accept JSON input,
and neither does this server (415, as the container answers).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import threading
import time
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

from localcloud.sagemaker import csv_numbers

MAX_CONTENT_LENGTH = 6 * 1024 * 1024
SUPPORTED_ACCEPTS = ("application/json", "application/jsonlines", "text/csv")
CONTAINER_CONTENT_TYPES = ("text/csv", "text/libsvm", "text/x-libsvm", "application/x-recordio-protobuf")


class RequestError(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def _media_type(header: str | None) -> str:
    message = Message()
    message["content-type"] = header or ""
    return message.get_content_type() if header else ""


def load_booster(model_dir: Path) -> xgb.Booster:
    """The single model file in model_dir (the tarball's content), refusing anything ambiguous."""
    files = sorted(p for p in model_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if len(files) != 1:
        raise RuntimeError(
            f"expected exactly one model file in the model data, found {[p.name for p in files]}"
        )
    booster = xgb.Booster()
    try:
        booster.load_model(files[0])
    except xgb.core.XGBoostError as error:
        raise RuntimeError(
            f"Unable to load model {files[0].name} with xgboost {xgb.__version__} (pickled models are not "
            f"emulated): {str(error).splitlines()[0]}"
        ) from error
    booster.set_param("nthread", 1)
    return booster


def parse_csv_payload(payload: bytes) -> np.ndarray:
    """Rows of features (no label), delimiter sniffed from the first line, empty fields as missing."""
    try:
        text = payload.decode("utf-8").strip()
        lines = text.split("\n")
        try:
            delimiter = csv.Sniffer().sniff(lines[0][:512]).delimiter
        except csv.Error:
            delimiter = ","
        if delimiter.isalnum():
            delimiter = ","
        columns = lines[0].count(delimiter) + 1
        for number, line in enumerate(lines, start=1):
            if line.count(delimiter) + 1 != columns:
                raise ValueError(f"row {number} has {line.count(delimiter) + 1} fields, row 1 has {columns}")
        values = csv_numbers.parse_fields(delimiter.join(line.rstrip("\r") for line in lines), delimiter)
        return values.reshape(len(lines), columns)
    except (ValueError, UnicodeDecodeError) as error:
        raise RequestError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "Loading csv data failed with Exception, please ensure data is in csv format:\n"
            f" {type(error)}\n {error}",
        ) from error


class Predictor:
    def __init__(self, booster: xgb.Booster, environment: dict[str, str]):
        self.booster = booster
        self.num_features = booster.num_features()
        config = json.loads(booster.save_config())
        self.objective: str = config["learner"]["objective"]["name"]
        self.num_class = config["learner"]["learner_model_param"].get("num_class", "0")
        self.batch = bool(environment.get("SAGEMAKER_BATCH"))
        selected = environment.get("SAGEMAKER_INFERENCE_OUTPUT")
        self.selected_keys = selected.replace(" ", "").lower().split(",") if selected else None
        self.default_accept = environment.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")

    def predict(self, features: np.ndarray) -> np.ndarray:
        if features.shape[1] != self.num_features:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "Unable to evaluate payload provided: Feature size of csv inference data "
                f"{features.shape[1]} is not consistent with feature size of trained model "
                f"{self.num_features}.",
            )
        return self.booster.inplace_predict(features, validate_features=False)

    def encode(self, predictions: np.ndarray, accept_header: str | None) -> tuple[bytes, str]:
        if self.selected_keys is None:
            # The container ignores Accept here and always answers comma-joined text/csv.
            values = predictions.tolist()
            body = "\n".join(map(str, values)) + "\n" if self.batch else ",".join(map(str, values))
            return body.encode(), "text/csv"
        accept = _media_type(accept_header).lower()
        if not accept or accept == "*/*":
            accept = self.default_accept
        if accept not in SUPPORTED_ACCEPTS:
            raise RequestError(
                HTTPStatus.NOT_ACCEPTABLE,
                f"Accept type {accept} is not supported. Please use supported accept types: "
                f"{list(SUPPORTED_ACCEPTS)} (application/x-recordio-protobuf is not emulated).",
            )
        rows = [self._selected(prediction) for prediction in predictions]
        if accept == "application/json":
            return json.dumps({"predictions": rows}).encode(), accept
        if accept == "application/jsonlines":
            return "".join(json.dumps(row) + "\n" for row in rows).encode(), accept
        lines = (
            ",".join(
                f'"{row[key]}"' if isinstance(row[key], list) else str(row[key]) for key in self.selected_keys
            )
            for row in rows
        )
        return ("\n".join(lines) + ("\n" if self.batch else "")).encode(), accept

    def _selected(self, raw: Any) -> dict[str, Any]:
        """One prediction's selectable-inference keys, as the container derives them per objective."""
        objective, raw = self.objective, np.asarray(raw)
        binary = objective.startswith("binary:")
        values: dict[str, Any] = {
            "predicted_score": raw.item() if objective.startswith("reg:") else float("nan"),
        }
        if objective == "binary:logistic":
            values["predicted_label"] = int(raw.item() > 0.5)
            values["probability"] = raw.item()
            values["probabilities"] = [1.0 - raw.item(), raw.item()]
        elif objective == "binary:logitraw":
            values["predicted_label"] = int(raw.item() > 0)
        elif objective in ("binary:hinge", "multi:softmax"):
            values["predicted_label"] = raw.item()
        elif objective == "multi:softprob":
            values["predicted_label"] = int(np.argmax(raw))
            values["probability"] = float(raw.max())
            values["probabilities"] = raw.tolist()
        if binary or objective.startswith("multi:"):
            classes = [0, 1] if binary else list(range(int(self.num_class)))
            values["labels"] = classes
            values["raw_score"] = float(raw.max()) if raw.ndim else raw.item()
            values["raw_scores"] = raw.tolist() if raw.ndim else [1.0 - raw.item(), raw.item()]
        assert self.selected_keys is not None
        return {key: values.get(key, float("nan")) for key in self.selected_keys}


def make_handler(predictor: Predictor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: clients reuse one connection per thread
        # An error page of http.server (send_error) still writes headers and body separately; with Nagle
        # on, its body would wait for the client's delayed ACK (~40 ms).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per request would dominate the cost of a prediction

        def _reply(self, status: HTTPStatus, body: bytes = b"", content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            # Head and body in one write: one segment for the client to read, one syscall here.
            self._headers_buffer.append(b"\r\n")
            head, self._headers_buffer = b"".join(self._headers_buffer), []
            self.wfile.write(head + body)

        def do_GET(self) -> None:
            if self.path == "/ping":
                self._reply(HTTPStatus.OK)
            else:
                self._reply(HTTPStatus.NOT_FOUND, f"no route {self.path}".encode())

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_CONTENT_LENGTH:
                self.rfile.read(length)
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"payload larger than 6 MB")
                return
            payload = self.rfile.read(length)
            if self.path != "/invocations":
                self._reply(HTTPStatus.NOT_FOUND, f"no route {self.path}".encode())
                return
            if not payload:
                self._reply(HTTPStatus.NO_CONTENT)
                return
            try:
                body, content_type = self._invoke(payload)
            except RequestError as error:
                self._reply(error.status, str(error).encode())
                return
            except Exception as error:  # a bug must answer 500, not drop the connection
                self._reply(
                    HTTPStatus.INTERNAL_SERVER_ERROR, f"Unable to evaluate payload: {error!r}".encode()
                )
                return
            self._reply(HTTPStatus.OK, body, content_type)

        def _invoke(self, payload: bytes) -> tuple[bytes, str]:
            content_type = _media_type(self.headers.get("Content-Type")).lower() or "text/csv"
            if content_type != "text/csv":
                supported = ", ".join(CONTAINER_CONTENT_TYPES)
                note = (
                    " (the local cloud emulates text/csv only)"
                    if content_type in CONTAINER_CONTENT_TYPES
                    else ""
                )
                raise RequestError(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    f"Content-type {content_type} not supported. Supported content-type is {supported}{note}",
                )
            predictions = predictor.predict(parse_csv_payload(payload))
            return predictor.encode(predictions, self.headers.get("Accept"))

    return Handler


def exit_when_orphaned(parent_pid: int) -> None:
    """Stop serving once the local cloud that started this server is gone, even if it was killed."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(model_dir: Path, host: str, port: int) -> None:
    predictor = Predictor(load_booster(model_dir), dict(os.environ))
    server = ThreadingHTTPServer((host, port), make_handler(predictor))
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SageMaker XGBoost inference server (local cloud)")
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port, printed on stdout")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is no longer the parent")
    args = parser.parse_args(argv)
    if args.parent_pid is not None:
        exit_when_orphaned(args.parent_pid)
    try:
        serve(args.model_dir, args.host, args.port)
    except KeyboardInterrupt:
        return 0
    except Exception as error:
        print(f"model server failed to start: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
