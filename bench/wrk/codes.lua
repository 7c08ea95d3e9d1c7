-- Visits random tracked links from a file of codes (one per line) and counts what it sends.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "summary.lua")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(codes, line) end
  end
  sent = 0
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  sent = sent + 1
  return wrk.format(nil, "/l/" .. codes[math.random(#codes)])
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
  end
  io.write(summary_json(summary, latency, string.format('"sent":%d', total)) .. "\n")
end
