"""Gunicorn's settings for every way this project runs it: the demo (``scripts/run-demo``) and production (README,
"Run in production"). Gunicorn reads ``gunicorn.conf.py`` from the folder it starts in, so starting it from the
repository root is enough; command-line options still win.

The access log (``--access-logfile``) gives the path without the query string (``%(U)s``, not the request line
``%(r)s``) and no Referer (the previous page's full address): a query string can carry personal data, and an access
log keeps it for as long as the log is kept. The application's own pages never put a name or an address in a URL
(``safer.core.searches``); this is the second lock.
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
