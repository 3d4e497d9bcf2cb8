"""Siger settings: runs with no configuration (SQLite, in-process channel layer, local media) and switches to
production through environment variables only. See .env.example for every variable."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The embedded default gets a fixed development key; production must set its own.
EMBEDDED_SECRET_KEY = "siger-embedded-default-key-not-for-production"  # noqa: S105 public on purpose, see below
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", EMBEDDED_SECRET_KEY)

# Explicit hosts: with "*" AllowedHostsOriginValidator would accept any websocket Origin.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")


def host_is_local(host: str) -> bool:
    """Only this machine can reach it: loopback names and addresses ("testserver" is Django's test client)."""
    host = host.strip().lower().rstrip(".")
    if host in {"localhost", "testserver", "[::1]", "::1"} or host.endswith(".localhost"):
        return True
    return host.startswith("127.") and host.replace(".", "").isdigit()


# Anyone can read the embedded key (and .env.example's placeholder) in this repository: with it they can forge
# sessions and password-reset links. Debug pages show settings and stack frames to whoever triggers an error.
# Both are refused wherever the site answers to a name other machines can reach.
PUBLIC_SECRET_KEYS = {EMBEDDED_SECRET_KEY, "change-me", ""}
if not all(host_is_local(host) for host in ALLOWED_HOSTS):
    if SECRET_KEY in PUBLIC_SECRET_KEYS or SECRET_KEY.startswith("django-insecure-"):
        raise RuntimeError(
            "DJANGO_SECRET_KEY is unset or a public placeholder while DJANGO_ALLOWED_HOSTS names a non-local host: "
            "set a long random key (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if DEBUG:
        raise RuntimeError("DJANGO_DEBUG is on while DJANGO_ALLOWED_HOSTS names a non-local host: turn it off.")
if env_bool("SIGER_PRODUCTION") and SECRET_KEY in PUBLIC_SECRET_KEYS:
    raise RuntimeError("DJANGO_SECRET_KEY must be set in production")

INSTALLED_APPS = [
    "lms",
    "lms.accounts",
    "lms.cohorts",
    "lms.assignments",
    "lms.notifications",
    "lms.competence",
    "lms.programmes",
    "lms.sso",
    "content",
    "live",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "lms.apps.SigerUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The player host serves only H5P and static files; the site never serves H5P (content/middleware.py).
    "content.middleware.PlayerHostMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lms.programmes.context_processors.programmes",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        # A connection kept across requests may have died with a PostgreSQL restart or failover: test it
        # before reuse instead of answering 500 with it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared memory, so that test servers running in threads see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
    # Requests write concurrently (a module page's H5P activities save their state at once): transactions take
    # the write lock when they begin and wait for it, rather than failing with "database is locked" when a
    # read transaction cannot be upgraded; WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
if os.environ.get("SIGER_TEST_DB_NAME"):
    # Lets several test runs share one machine's PostgreSQL without dropping each other's database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["SIGER_TEST_DB_NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # One process only: the embedded default. Never production.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Open room sockets allowed per person and per client IP, counted across every server process. Offices reach
# Siger through one NAT address, so the per-IP cap is far above what one person needs. 0: no cap.
SIGER_LIVE_MAX_SOCKETS_PER_USER = int(os.environ.get("SIGER_LIVE_MAX_SOCKETS_PER_USER", "5"))
SIGER_LIVE_MAX_SOCKETS_PER_IP = int(os.environ.get("SIGER_LIVE_MAX_SOCKETS_PER_IP", "200"))
# How often a room re-checks that everyone in it may still be there (a withdrawn learner is disconnected).
SIGER_LIVE_ACCESS_RECHECK_SECONDS = int(os.environ.get("SIGER_LIVE_ACCESS_RECHECK_SECONDS", "30"))

# --- Cache (rate limits, presence heartbeats) ------------------------------------------------------------
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per-process cache for content-addressed entries (keys hold a fingerprint of what they cache, so processes
# never need to invalidate each other): course steps and rendered course paths.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "siger-local",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "lms.User"
AUTHENTICATION_BACKENDS = ["lms.auth.NipOrEmailBackend"]
LOGIN_URL = "lms:login"
LOGIN_REDIRECT_URL = "lms:dashboard"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "DJANGO_PASSWORD_HASHERS",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher,django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
)

# --- Language and time ----------------------------------------------------------------------------------
# "id-id", not "id": Wagtail ships its Indonesian catalogue as id_ID, which gettext only finds from id_ID.
LANGUAGE_CODE = "id-id"
LANGUAGES = [("id-id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_root"
STATICFILES_DIRS = [BASE_DIR / "static"]
if (BASE_DIR / "node_modules" / "h5p-standalone" / "dist").exists():
    STATICFILES_DIRS.append(("h5p-standalone", BASE_DIR / "node_modules" / "h5p-standalone" / "dist"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("SIGER_MEDIA_ROOT", BASE_DIR / "media"))
WHITENOISE_USE_FINDERS = DEBUG or env_bool("SIGER_SERVE_FROM_FINDERS", True)

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            "file_overwrite": False,
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Security -------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
# Every request reads the session: from the cache (Redis in production) rather than a database query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False  # the H5P and chat scripts read it to send X-CSRFToken
# Behind a reverse proxy every request arrives from the proxy: the scheme comes from X-Forwarded-Proto and the
# client's address from X-Forwarded-For (lms.ratelimit.client_ip: the rightmost entry that is not one of
# DJANGO_TRUSTED_PROXIES). Without the proxy both headers are whatever the client wrote, and are ignored.
SIGER_BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
SIGER_TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", "127.0.0.1/32,::1/128")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SIGER_BEHIND_PROXY else None
# A proxy in front means HTTPS in front: cookies only over HTTPS and HSTS, unless DJANGO_SECURE_COOKIES=0 says
# the proxy serves plain HTTP (an intranet without a certificate).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", SIGER_BEHIND_PROXY)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if SESSION_COOKIE_SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)  # the H5P origin is one
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)

# Login and password-reset throttles (lms.auth), counted in the cache: per account (NIP or email, normalized),
# a lock that doubles from one minute after SIGER_LOGIN_ACCOUNT_FAILURES wrong passwords up to
# SIGER_LOGIN_MAX_LOCK_MINUTES, so an attacker gets one guess per lock and the owner is back in once they stop;
# per client IP, failures in 15 minutes, generous because an office shares one address.
SIGER_LOGIN_ACCOUNT_FAILURES = int(os.environ.get("SIGER_LOGIN_ACCOUNT_FAILURES", "5"))
SIGER_LOGIN_LOCK_SECONDS = 60
SIGER_LOGIN_MAX_LOCK_SECONDS = int(os.environ.get("SIGER_LOGIN_MAX_LOCK_MINUTES", "15")) * 60
SIGER_LOGIN_IP_FAILURES = int(os.environ.get("SIGER_LOGIN_IP_FAILURES", "50"))
SIGER_LOGIN_IP_WINDOW_SECONDS = 15 * 60
SIGER_PASSWORD_RESET_PER_ACCOUNT = 3
SIGER_PASSWORD_RESET_PER_IP = 20
SIGER_PASSWORD_RESET_WINDOW_SECONDS = 3600
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest request body accepted at all (config/body_limit.py), uploads included: above the 100 MB an H5P
# package may have and a training video, far below what would fill the server's disk.
SIGER_MAX_REQUEST_BYTES = int(os.environ.get("SIGER_MAX_REQUEST_MB", "256")) * 1024 * 1024

# --- Email (password reset links) ------------------------------------------------------------------------
# Without an SMTP host the messages are written to the server log: enough for the embedded default.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Siger <noreply@localhost>")

# --- Wagtail --------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Siger"
# Not the login page itself: config.urls "admin_login" sends a logged-in person without admin access to a 403 page.
WAGTAILADMIN_LOGIN_URL = "admin_login"
WAGTAILADMIN_BASE_URL = os.environ.get("SIGER_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Avatars from gravatar.com would make every admin page call out to a third party (and wait on slow links).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# --- H5P player (content/player.py, content/README.md) ---------------------------------------------------
# Package libraries are third-party JavaScript: the player and H5P files are served only on a host of their own
# that never receives the site's cookies (a second host name pointing at this application). Unset: the other
# loopback name (site 127.0.0.1 → player localhost), which is enough for the embedded default and the demo.
H5P_ORIGIN = os.environ.get("SIGER_H5P_ORIGIN", "").rstrip("/")
H5P_PARENT_ORIGINS = env_list("SIGER_H5P_PARENT_ORIGINS")  # who may embed the player; default: SIGER_BASE_URL
H5P_EXTRA_SOURCES = env_list("SIGER_H5P_EXTRA_SOURCES")  # e.g. a CDN origin for static files
# Outside hosts H5P content may load media and embedded players from (Interactive Video's YouTube and Vimeo).
H5P_MEDIA_HOSTS = env_list(
    "SIGER_H5P_MEDIA_HOSTS",
    "https://www.youtube-nocookie.com,https://www.youtube.com,https://i.ytimg.com,"
    "https://player.vimeo.com,https://i.vimeocdn.com,https://f.vimeocdn.com",
)
H5P_TOKEN_MAX_AGE = int(os.environ.get("SIGER_H5P_TOKEN_MAX_AGE", str(8 * 3600)))  # signed player URLs


def _h5p_isolation_problem() -> str:
    """Why production cannot start with this H5P configuration ("" when it can)."""
    from urllib.parse import urlsplit

    from django.http.request import validate_host

    player = urlsplit(H5P_ORIGIN).hostname if H5P_ORIGIN else None
    site = urlsplit(WAGTAILADMIN_BASE_URL).hostname
    if not player:
        return "SIGER_H5P_ORIGIN must be set in production: uploaded H5P code needs a host of its own"
    if player == site:
        return "SIGER_H5P_ORIGIN must be on another host than SIGER_BASE_URL"
    if not validate_host(player, ALLOWED_HOSTS):
        return "the host of SIGER_H5P_ORIGIN must be in DJANGO_ALLOWED_HOSTS"
    for name in ("SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN"):
        domain = (globals().get(name) or "").lstrip(".")
        if domain and (player == domain or player.endswith("." + domain)):
            return f"{name} covers the H5P host: it would receive the site's cookies"
    return ""


# Wherever other machines can reach the site (or SIGER_PRODUCTION says so), package code gets its own host.
if env_bool("SIGER_PRODUCTION") or not all(host_is_local(host) for host in ALLOWED_HOSTS):
    if _h5p_isolation_problem():
        raise RuntimeError(_h5p_isolation_problem())

# --- Domain defaults (configurable, see ../shared/ASN.md) ------------------------------------------------
SIGER_JP_TARGET_PER_YEAR = int(os.environ.get("SIGER_JP_TARGET_PER_YEAR", "20"))
# PPPK: JP per contract year (ASN.md: "up to 24 JP per contract year"; verify against the current rule).
SIGER_PPPK_JP_TARGET = int(os.environ.get("SIGER_PPPK_JP_TARGET", "24"))
# The IP ASN competence score the estimate is set against (Lampung, 2023).
SIGER_IPASN_COMPETENCE_BASELINE = os.environ.get("SIGER_IPASN_COMPETENCE_BASELINE", "26.53")
SIGER_MINUTES_PER_JP = int(os.environ.get("SIGER_MINUTES_PER_JP", "45"))
# The agency named on certificates (copied into each one when it is issued).
SIGER_CERTIFICATE_ISSUER = os.environ.get(
    "SIGER_CERTIFICATE_ISSUER", "Badan Pengembangan Sumber Daya Manusia Provinsi Lampung"
)
# Who signs a certificate when its course names nobody (CoursePage.signer_*): the head of the agency.
SIGER_CERTIFICATE_SIGNER_NAME = os.environ.get("SIGER_CERTIFICATE_SIGNER_NAME", "")
SIGER_CERTIFICATE_SIGNER_TITLE = os.environ.get(
    "SIGER_CERTIFICATE_SIGNER_TITLE", "Kepala Badan Pengembangan Sumber Daya Manusia Provinsi Lampung"
)
SIGER_CERTIFICATE_SIGNER_NIP = os.environ.get("SIGER_CERTIFICATE_SIGNER_NIP", "")
# Assignment uploads: the largest file an assignment may accept (each assignment sets its own limit below it).
SIGER_ASSIGNMENT_MAX_MB = int(os.environ.get("SIGER_ASSIGNMENT_MAX_MB", "20"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- UX (room opening) ---
# Minutes before a live session starts that its room opens to learners (instructors may enter earlier).
SIGER_LIVE_ROOM_OPENS_MINUTES = int(os.environ.get("SIGER_LIVE_ROOM_OPENS_MINUTES", "30"))

# --- Accounts in bulk (lms.accounts) ---
# How long a first sign-in (activation) link made by an account import stays valid.
SIGER_ACTIVATION_DAYS = int(os.environ.get("SIGER_ACTIVATION_DAYS", "14"))

# --- Notifications (lms/notifications) -------------------------------------------------------------------
# Emails of notifications go through django-tasks' "notifications" backend. SIGER_TASK_WORKER=1 (production):
# django_tasks_db's DatabaseBackend, drained by `python manage.py db_worker --backend notifications` (Procfile
# "worker"); it survives restarts and retries failed sends. Unset (the embedded default): a background thread sends
# them after the response. Wagtail's own tasks keep the "default" backend (immediate) either way.
INSTALLED_APPS += ["django_tasks_db"]
SIGER_TASK_WORKER = env_bool("SIGER_TASK_WORKER")
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "notifications": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if SIGER_TASK_WORKER
        else "lms.notifications.backends.ThreadBackend",
    },
}
SIGER_NOTIFICATION_RETRY_SECONDS = int(os.environ.get("SIGER_NOTIFICATION_RETRY_SECONDS", "60"))
# Reminder scan (sessions within the hour, assignments due within 24 h): at most once per this many seconds, started
# by a finished request (embedded default) or by `manage.py notifications_scan --loop` (Procfile "scheduler"). 0: off.
SIGER_NOTIFICATION_SCAN_SECONDS = int(os.environ.get("SIGER_NOTIFICATION_SCAN_SECONDS", "300"))

# --- SSO (OpenID Connect: the province's identity provider, Lampung-In) ---
# Offered only when SIGER_OIDC_ISSUER and SIGER_OIDC_CLIENT_ID are set; the local NIP/email login always stays.
# Endpoints come from the issuer's discovery document (fetched on the first SSO sign-in, kept per process) unless
# set one by one. mozilla-django-oidc does the protocol: authorization code with PKCE (S256), state and nonce,
# RS256 id_token checked against the provider's JWKS (lms.sso.backends adds audience, issuer and expiry).
SIGER_OIDC_ISSUER = os.environ.get("SIGER_OIDC_ISSUER", "").strip().rstrip("/")
SIGER_OIDC_CLIENT_ID = os.environ.get("SIGER_OIDC_CLIENT_ID", "")
SIGER_OIDC_CLIENT_SECRET = os.environ.get("SIGER_OIDC_CLIENT_SECRET", "")
SIGER_OIDC_ENDPOINTS = {
    "authorization": os.environ.get("SIGER_OIDC_AUTHORIZATION_ENDPOINT", ""),
    "token": os.environ.get("SIGER_OIDC_TOKEN_ENDPOINT", ""),
    "userinfo": os.environ.get("SIGER_OIDC_USERINFO_ENDPOINT", ""),
    "jwks": os.environ.get("SIGER_OIDC_JWKS_ENDPOINT", ""),
}
SIGER_OIDC_NIP_CLAIM = os.environ.get("SIGER_OIDC_NIP_CLAIM", "nip")
SIGER_OIDC_OPD_CLAIM = os.environ.get("SIGER_OIDC_OPD_CLAIM", "opd")
SIGER_OIDC_LABEL = os.environ.get("SIGER_OIDC_LABEL", "SSO Lampung-In")
# Off: a NIP the provider knows but Siger does not is refused (BPSDM registers participants). On: the account is
# made from the claims (NIP, name, verified email, OPD matched by name).
SIGER_OIDC_CREATE_USERS = env_bool("SIGER_OIDC_CREATE_USERS", False)
SIGER_OIDC_ENABLED = bool(SIGER_OIDC_ISSUER and SIGER_OIDC_CLIENT_ID)
OIDC_RP_CLIENT_ID = SIGER_OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = SIGER_OIDC_CLIENT_SECRET
OIDC_RP_SCOPES = os.environ.get("SIGER_OIDC_SCOPES", "openid email profile nip")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_TIMEOUT = int(os.environ.get("SIGER_OIDC_TIMEOUT_SECONDS", "10"))
if SIGER_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "lms.sso.backends.SigerOIDCBackend"]
    # Tokens and the person's identity must not cross a network in clear: HTTPS except on this machine.
    from urllib.parse import urlsplit as _urlsplit

    for _oidc_url in [SIGER_OIDC_ISSUER, *filter(None, SIGER_OIDC_ENDPOINTS.values())]:
        _oidc_parts = _urlsplit(_oidc_url)
        if not (
            (_oidc_parts.scheme == "https" and _oidc_parts.hostname)
            or (_oidc_parts.scheme == "http" and host_is_local(_oidc_parts.hostname or ""))
        ):
            raise RuntimeError(f"SIGER_OIDC_* URLs must use HTTPS outside loopback: {_oidc_url}")
# The provider sends the browser back with a top-level GET: SameSite=Lax (Django's default) keeps the session.
SESSION_COOKIE_SAMESITE = "Lax"
