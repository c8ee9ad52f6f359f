#!/usr/bin/env python3
"""Attack traffic for bench/attack.sh, to 127.0.0.1 only, every loop bounded in time and count.

  attack.py slow     PORT SECONDS   # up to 600 connections trickling header bytes, reopened when closed
  attack.py bodies   PORT SECONDS   # 24 threads posting label-heavy reviews just under the 3 MiB limit
  attack.py pipeline PORT SECONDS   # 4 connections pipelining small reviews without reading the answers
  attack.py legit    PORT SECONDS   # the API server: one keep-alive connection, a review every 20 ms, 5 s timeout

Prints one line of counts when done. TLS is not verified: it is the webhook's throwaway localhost certificate.
"""
import json
import socket
import ssl
import sys
import threading
import time

HOST = "127.0.0.1"
MODE, PORT, SECONDS = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
END = time.monotonic() + SECONDS
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE
counts = {}
lock = threading.Lock()


def count(key, n=1):
    with lock:
        counts[key] = counts.get(key, 0) + n


def connect(timeout=5.0):
    raw = socket.create_connection((HOST, PORT), timeout=timeout)
    try:
        return CTX.wrap_socket(raw, server_hostname="localhost")
    except Exception:
        raw.close()
        raise


def review(path, pad_labels_to=0):
    with open(path, "rb") as f:
        doc = json.load(f)
    if pad_labels_to:
        labels = doc["request"]["object"]["metadata"]["labels"]
        base = len(json.dumps(doc, separators=(",", ":")))
        for i in range((pad_labels_to - base) // len('"l0000000":"v",')):
            labels["l%07d" % i] = "v"
    body = json.dumps(doc, separators=(",", ":")).encode()
    return (b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def slow():
    """Keeps up to 600 connections open, each sending one header byte every 2 s; closed ones are reopened."""
    head = b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 4096
    conns = []  # [socket, bytes sent]
    opened = 0
    while time.monotonic() < END and opened < 200_000:
        while len(conns) < 600 and time.monotonic() < END:
            try:
                s = connect(timeout=2.0)
                s.settimeout(0.5)
                conns.append([s, 0])
                opened += 1
                count("opened")
            except Exception:
                count("refused")
                break
        alive = []
        for c in conns:
            try:
                c[0].send(head[c[1]:c[1] + 1])
                c[1] = (c[1] + 1) % len(head)
                alive.append(c)
            except Exception:
                count("closed-by-server")
                c[0].close()
        conns = alive
        time.sleep(2.0)
    for c in conns:
        c[0].close()


def bodies(request):
    def worker():
        while time.monotonic() < END:
            try:
                s = connect(timeout=10.0)
                s.settimeout(15.0)
                s.sendall(request)
                status = s.recv(64)[9:12].decode() or "eof"
                count(status)
                s.close()
            except Exception as e:
                count(type(e).__name__)
                time.sleep(0.2)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 30)


def pipeline(request):
    def worker():
        while time.monotonic() < END:
            try:
                s = connect(timeout=5.0)
                s.settimeout(2.0)
                batch = request * 50
                for _ in range(100_000):
                    if time.monotonic() >= END:
                        break
                    s.sendall(batch)
                    count("sent", 50)
            except Exception as e:
                count("cut-" + type(e).__name__)
                time.sleep(0.5)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 30)


def legit(request):
    """Sequential reviews on a keep-alive connection (reopened after a failure), each bounded by the 5 s webhook timeout."""
    latencies, failures = [], {}
    s = None
    for _ in range(100_000):
        if time.monotonic() >= END:
            break
        start = time.monotonic()
        try:
            if s is None:
                s = connect(timeout=5.0)
            s.settimeout(max(0.1, 5.0 - (time.monotonic() - start)))
            s.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0])
            while len(rest) < length:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                rest += chunk
            if head[9:12] != b"200" or b'"allowed":true' not in rest:
                failures["status " + head[9:12].decode()] = failures.get("status " + head[9:12].decode(), 0) + 1
            else:
                latencies.append((time.monotonic() - start) * 1000)
        except Exception as e:
            failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1
            if s is not None:
                s.close()
            s = None
        time.sleep(0.02)
    latencies.sort()
    n = len(latencies) + sum(failures.values())
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0
    print(json.dumps({"requests": n, "ok": len(latencies), "failures": failures, "p50": round(pick(0.5), 1),
                      "p99": round(pick(0.99), 1), "max": round(latencies[-1] if latencies else 0, 1)}))


if MODE == "legit":
    legit(review("src/test/resources/admission/first-ordinal-redis.review.json"))
    sys.exit(0)
elif MODE == "slow":
    slow()
elif MODE == "bodies":
    bodies(review("src/test/resources/admission/first-ordinal-redis.review.json", 3 * 1024 * 1024 - 4096))
elif MODE == "pipeline":
    pipeline(review("src/test/resources/admission/first-ordinal-redis.review.json"))
else:
    sys.exit("unknown mode " + MODE)
print(MODE + ": " + " ".join("%s=%d" % kv for kv in sorted(counts.items())))
