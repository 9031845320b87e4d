# Stand-in for python:3.11-slim-bookworm, from Debian's packages only: Debian's Python 3.11 in a
# virtual environment at /usr/local, so `python` and `pip` resolve there as in the official image
# and pip may install system-wide (Debian's own interpreter refuses that, PEP 668).
ARG BOOKWORM_IMAGE=localhost/citypulse-bookworm:base
FROM ${BOOKWORM_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv passwd \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /usr/local
ENV LANG=C.UTF-8
CMD ["python3"]
