def test_register_and_home(client, make_user):
    make_user("susan")
    r = client.login("susan")
    assert r.status_code == 302
    r = client.submit("/index", {"post": "hello there"}, follow_redirects=True)
    assert "hello there" in r.get_data(as_text=True)
