# Stand-in for redis:7.2-bookworm, from Debian's packages (Redis 7.0): the compose file passes the
# whole command line, so only the binaries and the /data working directory matter.
ARG BOOKWORM_IMAGE=localhost/citypulse-bookworm:base
FROM ${BOOKWORM_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
VOLUME ["/data"]
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server"]
