/**
 * The reaper's program, run by node inside the reaper container (no dependencies, no Baleen code: only node and
 * the Docker socket). It lives as long as its server's attach stream keeps its stdin open:
 *  - every few seconds, it kills every container of its server whose `baleen.deadline` (epoch seconds) has
 *    passed, and removes it unless it is kept (`baleen.kept`) — a deadline holds even while the server hangs;
 *  - when its stdin ends (the server exited, however: crash, kill -9, OOM), it removes every container and volume
 *    of its server created before that moment (not kept ones), and exits.
 * Arguments: the server id.
 */
export const REAPER_SCRIPT = String.raw`
import http from 'node:http';
const serverId = process.argv[2];
const SOCKET = '/var/run/docker.sock';
const log = (text) => process.stderr.write(new Date().toISOString() + ' baleen-reaper ' + text + '\n');
function call(method, path) {
  return new Promise((resolve) => {
    const request = http.request({ socketPath: SOCKET, method, path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        try { resolve({ status: response.statusCode, json: body ? JSON.parse(body) : null }); }
        catch { resolve({ status: response.statusCode, json: null }); }
      });
    });
    request.on('error', (error) => resolve({ status: 0, json: null, error: String(error) }));
    request.end();
  });
}
const filters = (labels) => encodeURIComponent(JSON.stringify({ label: labels }));
async function listContainers() {
  const { json } = await call('GET', '/containers/json?all=1&filters=' + filters(['baleen.managed=true', 'baleen.server=' + serverId]));
  return Array.isArray(json) ? json : [];
}
async function enforceDeadlines() {
  const now = Date.now() / 1000;
  for (const container of await listContainers()) {
    const deadline = Number(container.Labels?.['baleen.deadline']);
    if (!Number.isFinite(deadline) || deadline > now) continue;
    const kept = container.Labels?.['baleen.kept'] === 'true';
    if (container.State === 'running') {
      await call('POST', '/containers/' + container.Id + '/kill?signal=SIGKILL');
      log('killed ' + container.Id.slice(0, 12) + ' past its deadline');
    }
    if (!kept) await call('DELETE', '/containers/' + container.Id + '?force=1&v=1');
  }
}
async function sweep(before) {
  let removed = 0;
  for (const container of await listContainers()) {
    if (container.Labels?.['baleen.kept'] === 'true' || container.Created > before) continue;
    const { status } = await call('DELETE', '/containers/' + container.Id + '?force=1&v=1');
    if (status === 204) removed += 1;
  }
  const { json } = await call('GET', '/volumes?filters=' + filters(['baleen.managed=true', 'baleen.server=' + serverId]));
  for (const volume of json?.Volumes ?? []) {
    if (volume.Labels?.['baleen.kept'] === 'true') continue;
    await call('DELETE', '/volumes/' + encodeURIComponent(volume.Name) + '?force=1');
  }
  log('server ' + serverId + ' is gone: removed ' + removed + ' containers');
}
let ended = false;
const timer = setInterval(() => { if (!ended) void enforceDeadlines(); }, 2000);
process.stdin.resume();
process.stdin.on('end', async () => {
  ended = true;
  clearInterval(timer);
  await sweep(Math.ceil(Date.now() / 1000));
  process.exit(0);
});
log('watching server ' + serverId);
`;
