-- The feed as many members see it: each request picks a line "<session key> <path>" at
-- random from a file (members and pages) and sends it with that member's session cookie.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "summary.lua")

function init(args)
  visits = {}
  for line in io.lines(args[1]) do
    local key, path = line:match("^(%S+)%s+(%S+)$")
    if key then table.insert(visits, {key, path}) end
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local visit = visits[math.random(#visits)]
  -- wrk.format takes these headers instead of the command line's, so copy those first.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Cookie"] = "sessionid=" .. visit[1]
  return wrk.format("GET", visit[2], headers)
end
