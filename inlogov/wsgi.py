"""The WSGI application gunicorn serves (docs/deployment.md).

Garbage collection is tuned for a long-running server process. Once Django is set up and the
URL configuration (and with it every view) is loaded, everything allocated so far lives as long
as the process; ``gc.freeze()`` moves it out of the collector's sight, so a full collection no
longer walks some 80,000 objects that can never be garbage. The first generation's threshold is
raised from 700 to 7,000 allocations: a cold page allocates tens of thousands of short-lived
objects (query results, model instances, template nodes), and with the default it set off
dozens of collections. Measured in-process at 100,000 publications: collector pauses fell from
about 3 ms to about 1.4 ms per cold page on average (docs/performance.md, "Garbage collection").
Tests and ``runserver`` do not import this module, so they run with Python's defaults.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inlogov.settings")
application = get_wsgi_application()

get_resolver().url_patterns  # noqa: B018 (imports every view module now, before the freeze)
gc.collect()
gc.freeze()
gc.set_threshold(7_000, 10, 10)
