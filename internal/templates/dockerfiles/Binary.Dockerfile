# A prebuilt binary named "app" in the build context.
FROM debian:bookworm-slim
COPY app /usr/local/bin/app
USER nobody
ENTRYPOINT ["/usr/local/bin/app"]
