"""gunicorn for Kammerpost (``gunicorn -c /opt/kammerpost/deploy/gunicorn.conf.py``).

Read by kammerpost-web.service; tests/operations/test_nginx.py starts the app with it.
"""

import os

from prometheus_client import multiprocess

wsgi_app = "kammerpost.wsgi"
bind = os.environ.get("KAMMERPOST_LISTEN", "127.0.0.1:8000")
# Two per core is gunicorn's rule of thumb; uploads wait on disk and clamd, not on the CPU.
workers = int(os.environ.get("KAMMERPOST_WEB_WORKERS", str(2 * (os.cpu_count() or 1))))
# A 100 MB upload arrives from nginx's buffer in well under a minute; longer means stuck.
timeout = 120
graceful_timeout = 30
# nginx (and only nginx) may say which scheme the client used.
forwarded_allow_ips = os.environ.get("KAMMERPOST_PROXY_ADDRESSES", "127.0.0.1,::1")
# The app writes one JSON line per request (by URL pattern, no paths, no addresses); gunicorn's
# access log would repeat every path with its tokens.
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kammerpost.operations.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


def child_exit(server, worker):
    # prometheus-client's multiprocess mode: forget the live gauges of a worker that is gone.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
