-- Publish a status again and again: the home page's form, with its CSRF token.
-- Each body ends with its thread's number and its own: the app publishes the same
-- text twice in a row only once (services.posts.REPEAT_WINDOW), and every request
-- must be a write.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local prefix = "post=" .. os.getenv("BENCH_STATUS")
local suffix = "&csrf_token=" .. os.getenv("BENCH_CSRF")
local threads = 0
local sent = 0

setup = function(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

request = function()
  sent = sent + 1
  return wrk.format(nil, nil, nil, prefix .. "+" .. thread_number .. "-" .. sent .. suffix)
end
