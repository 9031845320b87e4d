# Stand-in for postgres:16-bookworm, from Debian's packages (PostgreSQL 15): the parts of the
# official image's interface the compose file relies on (POSTGRES_USER/PASSWORD/DB, the
# /docker-entrypoint-initdb.d scripts on an empty data directory, PGDATA's location).
ARG BOOKWORM_IMAGE=localhost/citypulse-bookworm:base
FROM ${BOOKWORM_IMAGE}
# No cluster of Debian's own: the entrypoint creates one in PGDATA on the volume.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/citypulse.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /docker-entrypoint-initdb.d /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME ["/var/lib/postgresql/data"]
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
