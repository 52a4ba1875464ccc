"""The WSGI application (``doudi serve`` runs it in Granian's worker processes)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver
from granian.utils.proxies import wrap_wsgi_with_proxy_headers

from doudi import config

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
application = get_wsgi_application()

# Behind load balancers or reverse proxies (scale-out), every request comes from a proxy's
# address. For requests from the addresses or networks listed here, the client's address is
# taken from X-Forwarded-For (the last one not listed) and the scheme from X-Forwarded-Proto, so
# that rate limits and sign-in lockouts count people, not proxies. Requests from any other
# address keep their own, whatever headers they send.
TRUSTED_PROXIES = config.env_list("DOUDI_TRUSTED_PROXIES", [])
if TRUSTED_PROXIES:
    application = wrap_wsgi_with_proxy_headers(application, trusted_hosts=TRUSTED_PROXIES)

# The URL configuration, and with it every view, is loaded now rather than by the first request;
# then everything made so far is moved out of the garbage collector's reach (gc.freeze). A
# started Django is some 160,000 objects (modules, classes, functions) that live as long as the
# process; every full collection walked them all again with the request threads stopped: 60-130
# ms, a dozen times a minute per worker under load, which was most of the API's p99 latency
# (docs/benchmarks.md). What requests make is still collected as before.
get_resolver().url_patterns  # noqa: B018 - imports the URL configuration
gc.collect()
gc.freeze()
