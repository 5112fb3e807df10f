# AuroraVault server image. Built from this repository's own files only:
#   docker build -t auroravault .        (docker compose builds it for you)
# Runs as an unprivileged user; everything it writes goes to the /data volume.
FROM python:3.11.14-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed uid/gid, so a bind-mounted data folder can be chowned to it: chown -R 10001:10001 ./data
RUN groupadd --system --gid 10001 auroravault \
    && useradd --system --uid 10001 --gid auroravault --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin auroravault

# Only what the package needs (see .dockerignore): no tests, no venv, no data.
COPY pyproject.toml README.md /src/
COPY auroravault/ /src/auroravault/
RUN pip install /src && rm -rf /src

# Example configurations; compose mounts its own over /etc/auroravault/compose.toml.
COPY config/ /etc/auroravault/
RUN mkdir -p /data && chown auroravault:auroravault /data

# The config file every command uses (serve, migrate, check, user create) unless --config
# says otherwise; the default one keeps local storage, SQLite and mail under /data.
ENV AURORAVAULT_CONFIG=/etc/auroravault/auroravault.toml \
    AURORAVAULT_SERVER__DATA_DIR=/data

USER auroravault
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

# Liveness: /healthz on the configured port (no curl in slim images, so Python asks).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; from auroravault.config import load_settings as s; u.urlopen(f'http://127.0.0.1:{s().server.port}/healthz', timeout=4)"]

# Inside a container the server listens on every interface; publish the port to choose who reaches it.
# Every interface, so it needs AURORAVAULT_SERVER__PUBLIC_URL (compose sets it from VAULT_ADDRESS):
# `docker run -e AURORAVAULT_SERVER__PUBLIC_URL=http://192.168.1.20:8000 -p 8000:8000 auroravault`.
CMD ["auroravault", "serve", "--host", "0.0.0.0"]
