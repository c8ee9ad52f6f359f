-- wrk script for bench/soak.sh: rotates first-ordinal, other-ordinal and malformed AdmissionReviews
-- (1:2:1) over keep-alive connections and checks every answer. Bodies come from $SOAK_BODIES.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  local dir = os.getenv("SOAK_BODIES")
  local headers = { ["Content-Type"] = "application/json" }
  local first = read(dir .. "/first-ordinal.json")
  local other = read(dir .. "/other-ordinal.json")
  local malformed = read(dir .. "/malformed.json")
  requests = {
    wrk.format("POST", "/mutate", headers, first),
    wrk.format("POST", "/mutate", headers, other),
    wrk.format("POST", "/mutate", headers, malformed),
    wrk.format("POST", "/mutate", headers, other),
  }
  malformed_at = 3
  i = 0
  sent_valid, sent_malformed = 0, 0
  ok, got400, wrong, other_status = 0, 0, 0, 0
end

function request()
  i = i % #requests + 1
  if i == malformed_at then sent_malformed = sent_malformed + 1 else sent_valid = sent_valid + 1 end
  return requests[i]
end

-- A first-ordinal review (uid "first-...") must come back allowed with a patch, an other-ordinal one
-- (uid "other-...") allowed without; a malformed one must get 400 with a JSON error.
function response(status, headers, body)
  if status == 200 then
    local allowed = string.find(body, '"allowed":true', 1, true)
    local patched = string.find(body, '"patch":"', 1, true)
    local first = string.find(body, '"uid":"first-', 1, true)
    local other = string.find(body, '"uid":"other-', 1, true)
    if allowed and ((first and patched) or (other and not patched)) then ok = ok + 1 else wrong = wrong + 1 end
  elseif status == 400 then
    if string.find(body, '"error":', 1, true) then got400 = got400 + 1 else wrong = wrong + 1 end
  else
    other_status = other_status + 1
  end
end

function done(summary, latency, _)
  local t = { sent_valid = 0, sent_malformed = 0, ok = 0, got400 = 0, wrong = 0, other_status = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  local e = summary.errors
  io.write(string.format(
    "SOAK_RESULT requests=%d duration_us=%d ok=%d got400=%d wrong=%d other_status=%d sent_valid=%d sent_malformed=%d "
      .. "connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, t.ok, t.got400, t.wrong, t.other_status, t.sent_valid, t.sent_malformed,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
