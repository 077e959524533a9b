# townhall in a container: the wheel on a slim Python, run as a non-root user.
#   docker build -t townhall .
#   docker run -p 8000:8000 -e TOWNHALL_BASE_URL=http://192.168.1.20:8000 -v townhall:/data townhall
# Several processes on Redis: examples/compose/compose.yaml (docs/deploy.md).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY static ./static
COPY facilitator_ui ./facilitator_ui
# The wheel and every dependency, so the final image needs no compiler and no network.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 townhall && mkdir /data && chown townhall /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels townhall && rm -rf /wheels
USER townhall
WORKDIR /home/townhall
ENV TOWNHALL_DATA_DIR=/data PORT=8000 PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2).status == 200 else 1)"]
CMD ["townhall", "serve", "--host", "0.0.0.0"]
