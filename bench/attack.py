#!/usr/bin/env python3
"""Attack traffic for bench/attack.sh, to 127.0.0.1 only, every loop bounded in time and count.

  attack.py slow     PORT SECONDS   # up to 600 connections trickling header bytes, reopened when closed
  attack.py bodies   PORT SECONDS   # 24 threads posting label-heavy reviews just under the 3 MiB limit
  attack.py pipeline PORT SECONDS   # 4 connections pipelining small reviews without reading the answers
  attack.py idle     PORT SECONDS   # 600 connections from 127.0.0.2 that each send one review, read it, then stay idle (reopened when closed)
  attack.py mgmt     PORT SECONDS   # up to 8,000 plain connections from 127.0.0.2 to the management PORT, each a 15 KiB partial header
  attack.py h2c      PORT SECONDS   # one connection after another from 127.0.0.2 to the management PORT (~50 a second, at most 5,000), each offering an h2c upgrade as java.net.http.HttpClient does, closed after the answer
  attack.py warnings PORT SECONDS   # 3 threads posting 3 MB first-ordinal reviews whose names are quoted in warnings
  attack.py logs     PORT SECONDS   # 2 threads posting 2.7 MB marked reviews whose names go into the INFO line
  attack.py handshake PORT SECONDS  # 4 threads replaying one TLS ClientHello from 127.0.0.2 on new connections
  attack.py legit    PORT SECONDS   # the API server: one keep-alive connection, a review every 20 ms, 5 s timeout
  attack.py legit-new PORT SECONDS  # the API server after a lull: a new connection per review, every 100 ms, 5 s timeout
  attack.py probe    PORT SECONDS   # the kubelet: GET /q/health/live on a new connection every 200 ms, 1 s timeout

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


def connect(timeout=5.0, source=None):
    raw = socket.create_connection((HOST, PORT), timeout=timeout, source_address=(source, 0) if source else None)
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


def read_answer(s):
    """One HTTP/1.1 answer (headers and Content-Length body): (status, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lengths = [l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    length = int(lengths[0]) if lengths else 0
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return head[9:12].decode(), rest


def still_open(conns):
    """The non-blocking sockets the server has neither closed nor answered (an answered one is counted and closed)."""
    alive = []
    for s in conns:
        try:
            if s.recv(4096) == b"":
                raise ConnectionError("closed")
            count("answered")
            s.close()
        except (BlockingIOError, ssl.SSLWantReadError):
            alive.append(s)
        except Exception:
            count("closed-by-server")
            s.close()
    return alive


def hold(open_one, most, max_opened):
    """Keeps up to most connections from open_one() open, reopening those the server closes (at most max_opened)."""
    conns = []
    opened = 0
    while time.monotonic() < END and opened < max_opened:
        while len(conns) < most and time.monotonic() < END and opened < max_opened:
            try:
                s = open_one()
                s.setblocking(False)
                conns.append(s)
                opened += 1
                count("opened")
            except Exception:
                count("refused")
                break
        conns = still_open(conns)
        time.sleep(0.2)
    for s in conns:
        s.close()


def in_threads(worker, n):
    """Runs worker in n daemon threads and waits for them (bounded: SECONDS + 30 s)."""
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 30)


def idle(request):
    """600 connections (8 threads of 75) from 127.0.0.2 that each sent one review and read its answer, then idle.

    Not from the legit client's address: the per-source rate of new connections would then refuse the legit client's
    own new connections beside the attacker's reconnections, and no attacker sends from the API server's address."""
    def reviewed():
        s = connect(timeout=2.0, source="127.0.0.2")
        s.settimeout(2.0)
        s.sendall(request)
        read_answer(s)
        return s
    in_threads(lambda: hold(reviewed, 75, 5_000), 8)


def mgmt():
    """Up to 8,000 connections to the management port, each sending a 15 KiB partial header."""
    head = b"GET /q/health/live HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * (15 * 1024)
    def partial():
        s = socket.create_connection((HOST, PORT), timeout=1.0, source_address=("127.0.0.2", 0))
        s.sendall(head)
        return s
    hold(partial, 8000, 100_000)


def h2c():
    """Connections one after another to the management port, each offering an h2c upgrade, closed after the answer."""
    offer = (b"GET /q/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
             b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQBAAAAAAUAAEAA\r\nUser-Agent: Java-http-client/17\r\n\r\n")
    for _ in range(5_000):
        if time.monotonic() >= END:
            break
        try:
            with socket.create_connection((HOST, PORT), timeout=1.0, source_address=("127.0.0.2", 0)) as s:
                s.sendall(offer)
                line = s.recv(64).split(b"\r\n")[0]
                count("answered " + line[9:12].decode() if line.startswith(b"HTTP/1.1 ") else "unanswered")
        except Exception:
            count("unanswered")
        time.sleep(0.02)


def named_review(path, name_chars, char="a", spoil=True):
    """A first-ordinal review whose StatefulSet (and pod) name has name_chars characters; spoil: invalid schedule
    annotation, container annotation naming a missing container, no redis container (three warnings)."""
    with open(path, "rb") as f:
        doc = json.load(f)
    owner = char * name_chars
    meta = doc["request"]["object"]["metadata"]
    meta["name"] = owner + "-0"
    meta["ownerReferences"][0]["name"] = owner
    if spoil:
        meta.setdefault("annotations", {})["first-ordinal.dev/schedule"] = "not valid!"
        meta["annotations"]["first-ordinal.dev/container"] = "nope"
        doc["request"]["object"]["spec"]["containers"] = [c for c in doc["request"]["object"]["spec"]["containers"]
                                                        if c["name"] != "redis"]
    body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    return (b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def posting(request, threads):
    """threads threads posting request on new connections; counts statuses and the largest answer."""
    def worker():
        while time.monotonic() < END:
            try:
                s = connect(timeout=10.0)
                s.settimeout(20.0)
                s.sendall(request)
                status, body = read_answer(s)
                count(status)
                with lock:
                    counts["largest-answer"] = max(counts.get("largest-answer", 0), len(body))
                s.close()
            except Exception as e:
                count(type(e).__name__)
                time.sleep(0.2)
    in_threads(worker, threads)


def client_hello():
    """The bytes of one TLS 1.3 ClientHello, made once and replayed."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = CTX.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def handshake(source="127.0.0.2"):
    """4 threads: connect from source, send the precomputed ClientHello, wait for the server's first bytes, close."""
    hello = client_hello()
    def worker():
        for _ in range(10_000_000):
            if time.monotonic() >= END:
                break
            try:
                s = socket.create_connection((HOST, PORT), timeout=2.0, source_address=(source, 0))
                s.sendall(hello)
                count("served-hello" if s.recv(1) else "closed-by-server")
                s.close()
            except Exception as e:
                count(type(e).__name__)
    in_threads(worker, 4)


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
    in_threads(worker, 24)


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
    in_threads(worker, 4)


def legit(request, keep_alive=True, pause=0.02, timeout=5.0, plain=False, expect=b'"allowed":true'):
    """Sequential requests, each bounded by timeout: on one keep-alive connection (reopened after a failure), or on a
    new connection each (the API server after its idle pool expired; the kubelet's probe)."""
    latencies, failures = [], {}
    s = None
    for _ in range(100_000):
        if time.monotonic() >= END:
            break
        start = time.monotonic()
        try:
            if s is None:
                s = socket.create_connection((HOST, PORT), timeout=timeout) if plain else connect(timeout=timeout)
            s.settimeout(max(0.1, timeout - (time.monotonic() - start)))
            s.sendall(request)
            status, rest = read_answer(s)
            if status != "200" or expect not in rest:
                failures["status " + status] = failures.get("status " + status, 0) + 1
            else:
                latencies.append((time.monotonic() - start) * 1000)
            if not keep_alive:
                s.close()
                s = None
        except Exception as e:
            failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1
            if s is not None:
                s.close()
            s = None
        time.sleep(pause)
    latencies.sort()
    n = len(latencies) + sum(failures.values())
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0
    print(json.dumps({"requests": n, "ok": len(latencies), "failures": failures, "p50": round(pick(0.5), 1),
                      "p99": round(pick(0.99), 1), "max": round(latencies[-1] if latencies else 0, 1)}))


FIXTURE = "src/test/resources/admission/first-ordinal-redis.review.json"
if MODE == "legit":
    legit(review(FIXTURE))
    sys.exit(0)
elif MODE == "legit-new":
    legit(review(FIXTURE), keep_alive=False, pause=0.1)
    sys.exit(0)
elif MODE == "probe":
    legit(b"GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n", keep_alive=False, pause=0.2, timeout=1.0, plain=True,
          expect=b"UP")
    sys.exit(0)
elif MODE == "idle":
    idle(review(FIXTURE))
elif MODE == "mgmt":
    mgmt()
elif MODE == "h2c":
    h2c()
elif MODE == "warnings":
    posting(named_review(FIXTURE, 385_000, "\U0001F600"), 3)
elif MODE == "logs":
    posting(named_review(FIXTURE, 1_300_000, "a", spoil=False), 2)
elif MODE == "handshake":
    handshake()
elif MODE == "slow":
    slow()
elif MODE == "bodies":
    bodies(review("src/test/resources/admission/first-ordinal-redis.review.json", 3 * 1024 * 1024 - 4096))
elif MODE == "pipeline":
    pipeline(review("src/test/resources/admission/first-ordinal-redis.review.json"))
else:
    sys.exit("unknown mode " + MODE)
print(MODE + ": " + " ".join("%s=%d" % kv for kv in sorted(counts.items())))
