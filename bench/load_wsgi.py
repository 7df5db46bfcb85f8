"""What gunicorn serves in the load benchmark: the portal (production settings from the
environment bench/load.py sets), and at /_hello a hello-world Flask page beside it, so the
server's own cost is measured on the same server, workers and connections."""

from flask import Flask

from dp_portal import create_app

portal = create_app()
hello = Flask("hello")
hello.add_url_rule("/_hello", "hello", lambda: "Hello, world!")


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/_hello":
        return hello(environ, start_response)
    return portal(environ, start_response)
