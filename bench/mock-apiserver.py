#!/usr/bin/env python3
"""A minimal Kubernetes API server on loopback for bench/run.sh: N StatefulSets, list and watch.

Serves what a fabric8 informer of apps/v1 StatefulSets asks for:
  GET /version
  GET /apis/apps/v1[/namespaces/NS]/statefulsets?limit=..&continue=..   (paged list)
  GET ...statefulsets?watch=true ...  (WebSocket upgrade or HTTP stream; stays open, sends nothing)
  GET /apis/apps/v1/namespaces/NS/statefulsets/NAME

The StatefulSets are redis-shard-0 .. redis-shard-N in namespace "redis": redis-shard-0 (the
benchmark pod's own set) is always there, plus N others, each a realistic ~2 KB object.
Loopback only; exits when its parent (bench/run.sh) kills it.
"""
import argparse
import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

RESOURCE_VERSION = "1000"


def statefulset(i):
    name = f"redis-shard-{i}"
    labels = {"app": name, "app.kubernetes.io/name": "redis", "app.kubernetes.io/component": "shard"}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": name, "namespace": "redis", "uid": f"00000000-0000-4000-8000-{i:012d}",
            "resourceVersion": RESOURCE_VERSION, "generation": 1, "labels": labels,
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": {
            "replicas": 3,
            "serviceName": name,
            "podManagementPolicy": "OrderedReady",
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {"name": "redis", "image": "redis:7.2.5",
                         "args": ["--appendonly", "no", "--save", "900 1"],
                         "ports": [{"name": "redis", "containerPort": 6379}],
                         "env": [{"name": f"SETTING_{k}", "value": f"value-{k}"} for k in range(8)],
                         "resources": {"requests": {"cpu": "100m", "memory": "256Mi"},
                                       "limits": {"memory": "512Mi"}},
                         "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                        {"name": "exporter", "image": "oliver006/redis_exporter:v1.62.0",
                         "ports": [{"name": "metrics", "containerPort": 9121}]},
                    ],
                },
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
            }],
        },
        "status": {"replicas": 3, "readyReplicas": 3, "currentReplicas": 3, "updatedReplicas": 3},
    }


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sets = []
    by_name = {}

    def log_message(self, fmt, *args):
        if "statefulsets" in self.path:
            print(f"{self.command} {self.path}", flush=True)

    def send_json(self, code, body):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        if url.path == "/version":
            return self.send_json(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0"})
        if parts[:3] != ["apis", "apps", "v1"] or "statefulsets" not in parts:
            return self.send_json(404, status(404, "NotFound", f"no such path {url.path}"))
        namespace = parts[4] if len(parts) > 4 and parts[3] == "namespaces" else None
        tail = parts[parts.index("statefulsets") + 1:]
        if tail:
            found = self.by_name.get((namespace, tail[0]))
            if found is None:
                return self.send_json(404, status(404, "NotFound", f'statefulsets.apps "{tail[0]}" not found'))
            return self.send_json(200, found)
        if query.get("watch", ["false"])[0] in ("true", "1"):
            return self.watch()
        items = [s for s in self.sets if namespace in (None, s["metadata"]["namespace"])]
        start = int(query.get("continue", ["0"])[0] or 0)
        limit = int(query.get("limit", ["0"])[0] or 0) or len(items)
        page = items[start:start + limit]
        more = start + limit < len(items)
        return self.send_json(200, {
            "apiVersion": "apps/v1", "kind": "StatefulSetList",
            "metadata": {"resourceVersion": RESOURCE_VERSION, **({"continue": str(start + limit)} if more else {})},
            "items": page,
        })

    def watch(self):
        key = self.headers.get("Sec-WebSocket-Key")
        if self.headers.get("Upgrade", "").lower() == "websocket" and key:
            accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
            self.send_response(101, "Switching Protocols")
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept)
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
        self.wfile.flush()
        # No changes to report: hold the watch open until the client goes away.
        self.connection.settimeout(None)
        try:
            while self.connection.recv(4096):
                pass
        except OSError:
            pass
        self.close_connection = True


def status(code, reason, message):
    return {"apiVersion": "v1", "kind": "Status", "status": "Failure", "code": code, "reason": reason, "message": message}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--statefulsets", type=int, required=True, help="StatefulSets besides the benchmark pod's own")
    args = parser.parse_args()
    Api.sets = [statefulset(i) for i in range(args.statefulsets + 1)]
    Api.by_name = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in Api.sets}
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Api)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"mock API server on 127.0.0.1:{args.port} with {len(Api.sets)} StatefulSets", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
