# Briefing: one process, one data volume. Build: docker build -t briefing .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install . && useradd --system --uid 10001 --home-dir /data --no-create-home briefing \
    && mkdir -p /data /app/config && chown briefing:briefing /data
COPY config/briefing.example.toml ./config/briefing.example.toml

# Settings come from the environment (see README, "Configuration"); a config file can be
# mounted at /app/config/briefing.toml. The health server stays on loopback inside the
# container: the HEALTHCHECK below runs there too.
ENV BRIEFING_DATA_DIR=/data \
    BRIEFING_HEALTH_HOST=127.0.0.1 \
    BRIEFING_HEALTH_PORT=8080
VOLUME ["/data"]
USER briefing

HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]
# SIGTERM (docker stop) shuts Briefing down gracefully.
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "bot"]
