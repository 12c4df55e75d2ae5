# syntax=docker/dockerfile:1
# The MomentLoop backend (FastAPI + uvicorn on port 8000, FFmpeg for exports).
# Build context: the repository root (azure.yaml: services.backend.project = ".").

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual environment with the app's dependencies, then the app itself ----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}"
WORKDIR /src

# Dependencies first, from pyproject.toml alone: this layer is reused until the dependencies change.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['app']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt

COPY README.md ./
COPY momentloop_app ./momentloop_app
RUN pip install --no-cache-dir --no-deps .

# --- runtime ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
# Debian's ffmpeg follows the base image's security updates; pinning its version would break
# rebuilds whenever the archive moves on.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 momentloop \
    && useradd --system --uid 10001 --gid momentloop --home-dir /app --shell /usr/sbin/nologin momentloop \
    && mkdir -p /app/storage \
    && chown momentloop:momentloop /app/storage

COPY --from=build /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STORAGE_LOCAL_ROOT=/app/storage

WORKDIR /app
USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

CMD ["uvicorn", "momentloop_app.main:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--forwarded-allow-ips", "*", "--timeout-graceful-shutdown", "20"]
