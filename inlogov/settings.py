"""Settings for the INLOGOV Research Hub.

One module for every deployment. Each knob is read from the environment (see .env.example);
nothing exists only in production. Helpers fail loudly on a malformed value, so a typo in a
deployment stops start-up instead of silently changing behaviour.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# numpy counts facet ids (publications/facet_counts.py) and never multiplies matrices: no
# OpenBLAS thread pool in every worker. Set before numpy is first imported (by the URLconf).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}.")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        # Only ever used on a developer's machine: DEBUG must be asked for explicitly.
        SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=true for local development."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if DEBUG:
        ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    else:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set. List the site's host names, comma-separated "
            "(e.g. research.inlogov.example), or set DJANGO_DEBUG=true for local development."
        )

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The public origin used in feeds, sitemaps, canonical links and the API when a request is not
# at hand (management commands). Requests use their own host.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "INLOGOV Research Hub"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "django_countries",
    "django_prose_editor",
    "adminsortable2",
    "axes",
    "csp",
    "inlogov",
    "themes",
    "people",
    "publications",
]

MIDDLEWARE = [
    # Outermost: one structured log line per request, with the final status.
    "inlogov.middleware.RequestLogMiddleware",
    # Wraps everything below: a lost database becomes a friendly 503, not a 500.
    "inlogov.middleware.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Anonymous pages from the content-versioned cache, before any session or database work.
    "inlogov.caching.ContentCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "inlogov.urls"
WSGI_APPLICATION = "inlogov.wsgi.application"

# The public pages are Jinja2 (templates/jinja2/, inlogov/jinja.py says why); everything else
# (the admin, the lockout page, DRF, django-filter, sitemaps) is Django's engine, which is asked
# second, so a name under templates/jinja2/ always means the Jinja2 page.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "inlogov.jinja.environment",
            "context_processors": ["inlogov.context_processors.site"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "inlogov.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite when DATABASE_URL is unset, so a newcomer needs nothing else; PostgreSQL (production)
# when it is set. Persistent connections with health checks let app servers ride out a
# database restart without being restarted themselves.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3))
    # Prepared statements (off unless asked for): parameters are sent apart from the SQL and a
    # statement run twice on a connection is prepared, so PostgreSQL can reuse its plan. That
    # saved 2-3 ms of PostgreSQL time per detail page at 100,000 publications, but a reused
    # generic plan can suit one parameter and not another, and transaction-mode PgBouncer before
    # 1.21 cannot carry prepared statements. See docs/deployment.md.
    if env_bool("DATABASE_PREPARED_STATEMENTS", False):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=1)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Redis is the shared cache across app servers when REDIS_URL is set. If Redis goes away the
# site keeps serving uncached: django-redis swallows connection errors and logs a warning.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "inlogov"),
            "TIMEOUT": env_int("CACHE_TIMEOUT", 3600),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "inlogov.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "inlogov",
            "TIMEOUT": env_int("CACHE_TIMEOUT", 3600),
        }
    }

# Seconds a CDN or browser may keep an anonymous public page or API response.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60)

# Server-side cache of anonymous pages and API responses (inlogov/caching.py). On by default only
# with Redis: a per-process memory cache cannot see a change made in another worker process.
# PAGE_CACHE=true turns it on with the memory cache, which is safe for a single process only.
PAGE_CACHE = env_bool("PAGE_CACHE", bool(REDIS_URL))
# Adds an X-Query-Count header (SQL queries per request) for bench/run.py; also on with DEBUG.
BENCH_QUERY_HEADER = env_bool("BENCH_QUERY_HEADER", False)

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"

# Brute-force protection: lock an account+address pair after AXES_FAILURE_LIMIT failures.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Production runs `collectstatic` and sets STATIC_MANIFEST=true for hashed, compressed files
# served by WhiteNoise (and a CDN in front). Without it, files are served from the finders.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
# S3-compatible media storage (django-storages + boto3). Credentials come from boto3's own
# environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or an instance role.
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN") or None
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage"}
        if AWS_STORAGE_BUCKET_NAME
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: refuse request bodies beyond this many bytes before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Images larger than this are refused with a message naming the limit.
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 5 * 1024 * 1024)

# --- Security -------------------------------------------------------------------------------
# HTTPS settings are switched on together by DJANGO_HTTPS=true (production behind TLS).
HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS and env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("DJANGO_HSTS_PRELOAD", False)
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe health over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# HSTS preloading is a commitment for the whole registrable domain (a university's, for a hub on
# a subdomain) that is slow to undo, so it stays an explicit choice (DJANGO_HSTS_PRELOAD=true);
# leaving it off is deliberate, so Django's reminder about it is silenced.
if HTTPS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4). No inline scripts anywhere: scripts are files or carry
# the per-request nonce. Inline style attributes are allowed (the admin's widgets use them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE is django-csp's sentinel: the string "'nonce'" would reach the header verbatim.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"] + env_list("CSP_EXTRA_IMG_SRC"),
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- CORS: read-only API for other sites ----------------------------------------------------
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = env_bool("CORS_ALLOW_ALL_ORIGINS", False)
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Link and X-Total-Count page the API's citation lists (docs/api.md).
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Link", "X-Total-Count"]

# --- REST framework -------------------------------------------------------------------------
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 20)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100)
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "inlogov.pagination.StandardPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "600/minute")},
    # Every API error is JSON with a clear message (inlogov/api_errors.py).
    "EXCEPTION_HANDLER": "inlogov.api_errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "INLOGOV Research Hub API",
    "DESCRIPTION": "Read-only access to the published research of the Institute of Local "
    "Government Studies: publications, contributors, themes and case studies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two different choice sets share the field name "kind": give each enum a stable name.
    "ENUM_NAME_OVERRIDES": {
        "PublicationKindEnum": "publications.models.Publication.Kind",
        "FacetKindEnum": "publications.api.FACET_KINDS",
    },
}

# --- Logging --------------------------------------------------------------------------------
# One JSON object per line on stderr, for a production log pipeline.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# Adds the number of SQL queries to each request log line (always on with DEBUG).
LOG_QUERY_COUNT = env_bool("LOG_QUERY_COUNT", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "inlogov.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "inlogov": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
