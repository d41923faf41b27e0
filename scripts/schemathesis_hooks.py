"""Schemathesis hooks for diffwave-server: valid bodies for the binary media types.

Loaded by scripts/schemathesis (SCHEMATHESIS_HOOKS=schemathesis_hooks). Schemathesis fills a
`format: binary` body with random bytes, which the server rightly refuses (400/415); these
strategies make the positive cases real: .npy and .npz mels for the tiny test model (80 mels,
a few frames, values in [0, 1]) and audio files fetched from the live server beforehand.
"""
import io
import json
import os
import struct
import zipfile
import zlib

import schemathesis
from hypothesis import strategies as st

N_MELS = int(os.environ.get("SCHEMATHESIS_N_MELS", "80"))
MAX_FRAMES = int(os.environ.get("SCHEMATHESIS_MAX_FRAMES", "6"))
# The served model's classes ({"num_classes": K or null, "class_names": [...] or null}), read
# from its GET /model by scripts/schemathesis.
LABELS = json.loads(os.environ.get("SCHEMATHESIS_LABELS") or "{}")


def npy_bytes(frames, values, descr="<f4", fortran=False, batch=False):
    """A .npy v1 file of shape [N_MELS, frames] (or [1, N_MELS, frames])."""
    shape = f"(1, {N_MELS}, {frames})" if batch else f"({N_MELS}, {frames})"
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    count = N_MELS * frames
    cells = [values[i % len(values)] for i in range(count)]
    code = {"<f4": "<%df", ">f4": ">%df", "<f8": "<%dd", "<f2": "<%de"}[descr] % count
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack(code, *cells)


npy_strategy = st.builds(
    npy_bytes,
    frames=st.integers(1, MAX_FRAMES),
    values=st.lists(st.floats(0, 1, width=16), min_size=1, max_size=8),
    descr=st.sampled_from(["<f4", ">f4", "<f8", "<f2"]),
    fortran=st.booleans(),
    batch=st.booleans(),
)


def npz_bytes(npy, name, deflated):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED) as archive:
        archive.writestr(name + ".npy", npy)
    return out.getvalue()


npz_strategy = st.builds(npz_bytes, npy=npy_strategy, name=st.sampled_from(["mel", "arr_0", "x"]), deflated=st.booleans())

schemathesis.openapi.media_type("application/x-npy", npy_strategy)
schemathesis.openapi.media_type("application/octet-stream", npy_strategy)
schemathesis.openapi.media_type("application/x-npz", npz_strategy)

# Audio bodies: real files from the server itself (scripts/schemathesis fetches them).
AUDIO_DIR = os.environ.get("SCHEMATHESIS_AUDIO_DIR")
if AUDIO_DIR:
    for media_type, extension in [("audio/wav", "wav"), ("audio/flac", "flac"), ("audio/ogg", "ogg")]:
        path = os.path.join(AUDIO_DIR, "sample." + extension)
        if os.path.exists(path):
            with open(path, "rb") as f:
                schemathesis.openapi.media_type(media_type, st.just(f.read()))


def _wav_sample():
    if AUDIO_DIR and os.path.exists(os.path.join(AUDIO_DIR, "sample.wav")):
        with open(os.path.join(AUDIO_DIR, "sample.wav"), "rb") as f:
            return f.read()
    return None


def _is_matrix(value):
    return (isinstance(value, list) and value and all(isinstance(row, list) and row for row in value)
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for row in value for x in row))


def _is_negative(case):
    meta = getattr(case, "meta", None)
    if meta is None:
        return False
    if meta.generation.mode.is_negative:
        return True
    return any(info.mode.is_negative for info in (meta.components or {}).values())


def _class_index(label, count):
    """Some valid index derived from whatever label the case carries."""
    if isinstance(label, bool) or label is None:
        return 0
    if isinstance(label, int):
        return label % count
    text = str(label)
    return int(text) % count if text.isdigit() else zlib.crc32(text.encode()) % count


def _fit_labels(case):
    """A model without classes takes no label; a class-conditional one needs a valid one,
    the same in the query and the body when both carry it (by name where it has names, on
    every other index, so both forms are sent)."""
    query = case.query if isinstance(case.query, dict) else None
    body = case.body if isinstance(case.body, dict) else None
    count = LABELS.get("num_classes")
    if not count:
        for holder in (query, body):
            if holder is not None:
                holder.pop("label", None)
        return
    given = (query or {}).get("label", (body or {}).get("label"))
    index = _class_index(given, count)
    names = LABELS.get("class_names") or []
    label = names[index] if names and index % 2 == 1 else index
    if body is not None:
        body["label"] = label
        if query is not None and "label" in query:
            query["label"] = str(label)
    else:
        if query is None:
            case.query = query = {}
        query["label"] = str(label)


@schemathesis.hook
def map_case(ctx, case):
    """Make schema-valid requests valid for this model, leaving invalid ones invalid.

    - `/mel` and audio `application/octet-stream` bodies are audio, not .npy.
    - A JSON mel that is a well-formed matrix gets the model's n_mels rows, values in [0, 1].
    - `/generate` lengths stay within max-samples (a server limit no schema can state).
    - `label` fits the served model (none, or a valid class: `_fit_labels`).
    """
    if _is_negative(case):
        return case  # schema-violating on purpose (in any component): leave it so
    path = case.operation.path
    media_type = getattr(case, "media_type", None)
    if path == "/mel" and media_type == "application/octet-stream":
        wav = _wav_sample()
        if wav is not None:
            case.body = wav
    body = case.body
    if path == "/vocode" and isinstance(body, dict) and "mel" in body:
        mel = body["mel"]
        batched = isinstance(mel, list) and len(mel) == 1 and _is_matrix(mel[0])
        matrix = mel[0] if batched else mel
        if _is_matrix(matrix):
            frames = min(max(len(row) for row in matrix), MAX_FRAMES)
            flat = [min(1.0, max(0.0, abs(float(x)) % 1.0)) for row in matrix for x in row]
            rows = [[flat[(r * frames + c) % len(flat)] for c in range(frames)] for r in range(N_MELS)]
            body["mel"] = [rows] if batched else rows
    if path == "/generate" and isinstance(body, dict):
        if isinstance(body.get("samples"), int) and body["samples"] > 2048:
            body["samples"] = 1 + body["samples"] % 2048
        if isinstance(body.get("seconds"), (int, float)) and not isinstance(body.get("seconds"), bool) and body["seconds"] > 0.1:
            body["seconds"] = 0.05
    if path in ("/vocode", "/generate"):
        _fit_labels(case)
    return case


@schemathesis.hook
def before_load_schema(ctx, raw_schema):
    """Leave out the `Content-Encoding` request header. It promises gzip bytes, which
    Schemathesis does not produce, so every generated `gzip` is a 400 for a reason the schema
    cannot state (and compressing in a hook confuses its positive/negative bookkeeping).
    Gzip bodies are covered by ServiceFaultTests (a gzip bomb) and scripts/stress."""
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [p for p in operation["parameters"]
                                           if p.get("$ref", "") != "#/components/parameters/ContentEncoding"]
