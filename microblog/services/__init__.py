"""The service layer: every business rule and every write lives here.

Routes (and later the API and socket events) parse input, call one service
function and render the result; they never touch the session themselves.
Services report problems by raising the domain errors in ``microblog.errors``.
"""
