#!/usr/bin/env node
// Drives yaml-language-server over the Language Server Protocol (stdio) as
// an editor does: opens one YAML file, waits for its diagnostics, asks for
// completion at a position, and prints
//   {"diagnostics": [{line, character, message}],
//    "completion": [{label, documentation}]}
// with 1-based lines and columns, like gitsm's path:line:col.
//
// Usage: node lsp.js FILE LINE COLUMN   (LINE and COLUMN 1-based)
// The schema comes from the file's own `# yaml-language-server: $schema=`
// modeline; the schema store is off (no network).
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const [file, line, column] = process.argv.slice(2);
if (!file || !line || !column) {
  console.error('usage: node lsp.js FILE LINE COLUMN');
  process.exit(2);
}
const uri = pathToFileURL(path.resolve(file)).href;
const text = fs.readFileSync(file, 'utf8');
const settings = {
  yaml: {
    validate: true,
    completion: true,
    hover: true,
    schemaStore: { enable: false },
    format: { enable: false },
  },
};

const server = spawn(
  process.execPath,
  [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const timer = setTimeout(() => fail('no answer from yaml-language-server'), 60000);

function fail(message) {
  console.error(message);
  server.kill();
  process.exit(1);
}

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}

let nextId = 1;
const pending = new Map();
function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

let diagnostics = null;
let onDiagnostics = () => {};
function receive(message) {
  if (message.id !== undefined && message.method === undefined) {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (!waiting) return;
    if (message.error) waiting.reject(new Error(message.error.message));
    else waiting.resolve(message.result);
  } else if (message.id !== undefined) {
    // A request of the server's: its settings, or anything else (null).
    const result =
      message.method === 'workspace/configuration'
        ? message.params.items.map((item) => settings[item.section] ?? settings.yaml)
        : null;
    send({ id: message.id, result });
  } else if (message.method === 'textDocument/publishDiagnostics' && message.params.uri === uri) {
    diagnostics = message.params.diagnostics;
    onDiagnostics();
  }
}

let buffer = Buffer.alloc(0);
server.stdout.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const header = buffer.subarray(0, end).toString('ascii');
    const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
    if (buffer.length < end + 4 + length) return;
    const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    buffer = buffer.subarray(end + 4 + length);
    receive(JSON.parse(body));
  }
});
server.on('exit', (code) => {
  if (code) fail(`yaml-language-server exited with ${code}`);
});

async function main() {
  await request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(path.dirname(path.resolve(file))).href,
    capabilities: {
      workspace: { configuration: true },
      textDocument: {
        completion: { completionItem: { snippetSupport: true } },
        publishDiagnostics: {},
      },
    },
    initializationOptions: {},
  });
  send({ method: 'initialized', params: {} });
  send({ method: 'workspace/didChangeConfiguration', params: { settings } });
  const diagnosed = new Promise((resolve) => {
    onDiagnostics = resolve;
  });
  send({
    method: 'textDocument/didOpen',
    params: { textDocument: { uri, languageId: 'yaml', version: 1, text } },
  });
  await diagnosed;
  const completion = await request('textDocument/completion', {
    textDocument: { uri },
    position: { line: Number(line) - 1, character: Number(column) - 1 },
  });
  const items = Array.isArray(completion) ? completion : (completion?.items ?? []);
  const out = {
    diagnostics: diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      character: d.range.start.character + 1,
      message: d.message,
    })),
    completion: items.map((item) => ({
      label: item.label,
      documentation:
        typeof item.documentation === 'string'
          ? item.documentation
          : (item.documentation?.value ?? ''),
    })),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  clearTimeout(timer);
  await request('shutdown', null);
  send({ method: 'exit' });
}

main().catch((error) => fail(String(error.stack || error)));
