-- Follow a user, then unfollow them, then the next one of a pool: each request a change.
-- Each wrk thread starts at its own place in the pool, so threads change different pairs.
local pool = {}
for name in string.gmatch(os.getenv("BENCH_FOLLOW_POOL"), "[^,]+") do
  pool[#pool + 1] = name
end
local body = "csrf_token=" .. os.getenv("BENCH_CSRF")
-- wrk.format uses wrk.headers (the Cookie and User-Agent given with -H) when given no table.
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local threads = 0
local turn = 0
offset = 0

setup = function(thread)
  thread:set("offset", threads * 97)
  threads = threads + 1
end

request = function()
  local name = pool[(offset + math.floor(turn / 2)) % #pool + 1]
  local action = (turn % 2 == 0) and "/follow/" or "/unfollow/"
  turn = turn + 1
  return wrk.format("POST", action .. name, nil, body)
end
