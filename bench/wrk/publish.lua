-- Publish a status again and again: the home page's form, with its CSRF token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "post=" .. os.getenv("BENCH_STATUS") .. "&csrf_token=" .. os.getenv("BENCH_CSRF")
