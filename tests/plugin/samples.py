"""Sample projects for the plugin tests: each app has a correct route and a broken one."""

from __future__ import annotations

FLASK_APP = """
from flask import Flask, Response

app = Flask(__name__)


@app.get("/ok")
def ok():
    return "fine"


@app.get("/bad")
def bad():
    response = Response("hi")
    response.headers["Connection"] = "close"  # hop-by-hop header from an app: PEP 3333 forbids it
    return response
"""

FLASK_TESTS = """
from flaskproj import app


def test_ok():
    assert app.test_client().get("/ok").status_code == 200


def test_bad():
    assert app.test_client().get("/bad").status_code == 200
"""

STARLETTE_APP = """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


async def ok(request):
    return PlainTextResponse("fine")


async def bad(request):
    return Response("hi", headers={"Connection": "close"})


app = Starlette(routes=[Route("/ok", ok), Route("/bad", bad)])
"""

STARLETTE_TESTS = """
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from starproj import app


def test_ok():
    with TestClient(app) as client:
        assert client.get("/ok").status_code == 200


def test_bad():
    assert TestClient(app).get("/bad").status_code == 200
"""

DJANGO_FILES = {
    "djproj/__init__.py": "",
    "djproj/settings.py": """
SECRET_KEY = "test"
DEBUG = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "djproj.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
""",
    "djproj/urls.py": """
from django.http import HttpResponse
from django.urls import path


def ok(request):
    return HttpResponse("fine")


def bad(request):
    response = HttpResponse("hi")
    response["Content-Length"] = "10"  # the body has 2 bytes
    return response


urlpatterns = [path("ok", ok), path("bad", bad)]
""",
    "djproj/wsgi.py": """
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproj.settings")
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
""",
    "djproj/asgi.py": """
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproj.settings")
from django.core.asgi import get_asgi_application

application = get_asgi_application()
""",
    "conftest.py": """
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproj.settings")
import django

django.setup()
""",
    "test_dj.py": """
import asyncio

from django.test import AsyncClient, Client


def test_ok():
    assert Client().get("/ok").status_code == 200


def test_post_ok():
    assert Client().post("/ok", data={"a": "1"}).status_code == 200


def test_bad():
    assert Client().get("/bad").status_code == 200


def test_async_ok():
    assert asyncio.run(AsyncClient().get("/ok")).status_code == 200


def test_async_post_ok():
    assert asyncio.run(AsyncClient().post("/ok", data={"a": "1"})).status_code == 200


def test_async_bad():
    assert asyncio.run(AsyncClient().get("/bad")).status_code == 200
""",
}
