#!/bin/sh
# Runs before the image renders its templates: without BACKEND_URL the proxy cannot work.
if [ -z "${BACKEND_URL:-}" ]; then
  echo "momentloop-frontend: BACKEND_URL is not set: give the backend's origin, e.g. http://backend:8000" >&2
  exit 1
fi
