"""Blueprints: the HTML front end, one package per area (main, auth, errors)."""
