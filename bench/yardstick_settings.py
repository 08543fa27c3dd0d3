"""The yardstick: the same project and database with no middleware at all,
serving one bare view (bench/yardstick_urls.py)."""

from send_register.settings import *  # noqa: F401,F403

MIDDLEWARE = []
ROOT_URLCONF = "bench.yardstick_urls"
