# Production image: gunicorn serves the app, whitenoise the static files.
# Two stages: the build stage installs the locked dependencies and compiles the
# catalogues and static files; the runtime stage gets the results, no build tools.
FROM python:3.11-slim-bookworm AS build

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements/base.txt /tmp/base.txt
RUN pip install --require-hashes -r /tmp/base.txt

WORKDIR /app
COPY . .
# Build-time values only: collectstatic and compilemessages need settings to load.
RUN DEBUG=1 python manage.py compilemessages --ignore=.venv -v0 \
    && DEBUG=1 python manage.py collectstatic --noinput -v0 \
    && rm -rf var/db.sqlite3* var/celery var/media

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    WEB_CONCURRENCY=3 VAR_DIR=/app/var MEDIA_ROOT=/app/var/media
RUN useradd --create-home --uid 1000 app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# The code stays root's; the app user writes only under var/ (media is a volume there,
# created with this owner).
RUN mkdir -p /app/var/media && chown -R app:app /app/var

WORKDIR /app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# Workers: WEB_CONCURRENCY (gunicorn reads it); each worker is replaced after about
# a thousand requests so that slow leaks never grow.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--max-requests", "1000", "--max-requests-jitter", "100", "--timeout", "60", "--access-logfile", "-"]
