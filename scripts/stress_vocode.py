"""Concurrent /vocode load for scripts/stress: N client threads for a fixed duration, each
submitting short mels (sync and async alternately, some gzip-compressed) and following every
accepted async job to its end. Prints one JSON line of figures; exits 1 on any undocumented
error or lost job. Standard library only."""
import gzip
import http.client
import json
import struct
import sys
import threading
import time

port, clients, duration, frames = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])


def npy(frames):
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': (80, {frames}), }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack(f"<{80 * frames}f", *([0.5] * 80 * frames))


body = npy(frames)
gz = gzip.compress(body)
lock = threading.Lock()
stats = {"requests": 0, "ok": 0, "accepted": 0, "rejected_503": 0, "errors": [], "latencies": [], "jobs": {}}
deadline = time.monotonic() + duration


def record(key, value=1):
    with lock:
        stats[key] += value


def worker(index):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        asynchronous = n % 2 == 0
        compressed = n % 3 == 0
        headers = {"Content-Type": "application/x-npy"}
        if compressed:
            headers["Content-Encoding"] = "gzip"
        start = time.monotonic()
        try:
            conn.request("POST", f"/vocode?seed={index * 100000 + n}" + ("&async=true" if asynchronous else ""),
                         body=gz if compressed else body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except Exception as error:  # a reset or timeout is an error
            with lock:
                stats["errors"].append(f"{type(error).__name__}: {error}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            continue
        elapsed = time.monotonic() - start
        with lock:
            stats["requests"] += 1
            stats["latencies"].append(elapsed)
        if response.status == 200 and response.getheader("Content-Type") == "audio/wav" and data[:4] == b"RIFF":
            record("ok")
        elif response.status == 202:
            job = json.loads(data)["id"]
            with lock:
                stats["accepted"] += 1
                stats["jobs"][job] = "queued"
        elif response.status == 503 and response.getheader("Retry-After"):
            record("rejected_503")
            time.sleep(0.05)
        else:
            with lock:
                stats["errors"].append(f"{response.status} {data[:200]!r}")
    conn.close()


threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()

# Every accepted async job must reach succeeded, and its audio must be there.
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
settle = time.monotonic() + 120
for job in list(stats["jobs"]):
    while True:
        conn.request("GET", f"/jobs/{job}")
        response = conn.getresponse()
        data = response.read()
        status = json.loads(data).get("status") if response.status == 200 else f"HTTP {response.status}"
        if status in ("succeeded", "failed", "cancelled") or not status or status.startswith("HTTP") or time.monotonic() > settle:
            break
        time.sleep(0.05)
    if status == "succeeded":
        conn.request("GET", f"/jobs/{job}/audio")
        response = conn.getresponse()
        audio = response.read()
        if response.status != 200 or audio[:4] != b"RIFF":
            status = f"audio HTTP {response.status}"
    stats["jobs"][job] = status

lat = sorted(stats["latencies"]) or [0]
lost = [job for job, status in stats["jobs"].items() if status != "succeeded"]
summary = {
    "requests": stats["requests"], "sync_ok": stats["ok"], "async_accepted": stats["accepted"],
    "rejected_503": stats["rejected_503"], "errors": len(stats["errors"]), "error_samples": stats["errors"][:5],
    "jobs_lost": len(lost), "lost_samples": [(j, stats["jobs"][j]) for j in lost[:5]],
    "requests_per_s": round(stats["requests"] / duration, 2),
    "p50_ms": round(lat[len(lat) // 2] * 1000, 1), "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1),
}
print(json.dumps(summary))
sys.exit(1 if stats["errors"] or lost else 0)
