-- Prints wrk's own measurements as one JSON line; requests stay static (no per-request Lua).
local function summary_json(summary, latency, extra)
  local errors = summary.errors
  local parts = {
    string.format('"duration_us":%d', summary.duration),
    string.format('"requests":%d', summary.requests),
    string.format('"bytes":%d', summary.bytes),
    string.format('"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}',
      errors.connect, errors.read, errors.write, errors.status, errors.timeout),
    string.format('"latency_us":{"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d}',
      latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
      latency:percentile(95), latency:percentile(99)),
  }
  if extra then table.insert(parts, extra) end
  return "BENCH-JSON {" .. table.concat(parts, ",") .. "}"
end

_G.summary_json = summary_json

function done(summary, latency, requests)
  io.write(summary_json(summary, latency, nil) .. "\n")
end
