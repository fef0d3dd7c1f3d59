# The relay, the RQ workers and the RQ dashboard share this image (RQ requires the producer and
# the workers to run the same code). Odoo runs Dockerfile.odoo's image with odoo_addons mounted.
# Python is pinned to one patch release. To bump it: pick a newer 3.11.x-slim-trixie tag
# (https://hub.docker.com/_/python/tags), change it here, this file's only place, then
# `docker compose up -d --build`.
FROM python:3.11.16-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RELAY_SPOOL_DIR=/var/spool/elitaco

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY relay/ relay/
COPY docs/schemas/ docs/schemas/

# A fixed numeric user, so Kubernetes' runAsNonRoot can check it (deploy/k8s).
RUN useradd --system --uid 10001 --home-dir /app relay \
    && mkdir -p /var/spool/elitaco \
    && chown relay /var/spool/elitaco
USER 10001
VOLUME ["/var/spool/elitaco"]
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=2)" || exit 1

CMD ["python", "-m", "relay", "serve"]
