# The conventional baleen-server image, for machines that can pull node:20-slim (scripts/build-server-image.sh
# builds the same service without a registry). Build from a folder holding the three packed packages:
#   npm pack ./packages/protocol ./packages/reports ./packages/server ./packages/client --pack-destination deploy/pkg
#   docker build -f deploy/server.Dockerfile -t baleen-server:latest deploy
# Run it with the engine's socket mounted — which gives it root on the host: read docs/deploy.md first.
FROM node:20-slim
COPY pkg/baleen-*.tgz /tmp/pkg/
RUN npm install --global --no-audit --no-fund /tmp/pkg/*.tgz && rm -rf /tmp/pkg /root/.npm
VOLUME /var/lib/baleen
EXPOSE 5533
ENTRYPOINT ["baleen-server", "--state-dir", "/var/lib/baleen"]
CMD ["--host", "0.0.0.0", "--token-file", "/etc/baleen/tokens"]
