"""A centre, service item or account changed in this process drops what the directory keeps
(``selectors.active_centre``, ``active_service_item``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from doudi.core.caches import clear_when_changed
from doudi.directory.models import Centre, ServiceItem
from doudi.directory.selectors import directory_cache_clear

clear_when_changed(directory_cache_clear, Centre, ServiceItem, get_user_model(), uid="directory")
