// fineprint for VS Code: starts `fineprint lsp` and adds a few commands around it.
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DocumentSelector,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { findServer } from './server';
import { ModelsView } from './models';
import { Status } from './status';

/** Every file fineprint reads (docs/detection.md), by name: language ids vary with the installed extensions. */
const FILE_PATTERNS = [
  '**/*.{py,pyi,ipynb,js,mjs,cjs,jsx,ts,mts,cts,tsx,rs,go,yaml,yml,toml,json,jsonc,json5,env,sh,bash,zsh,mk,md,markdown,mdx,dockerfile,modelfile,Modelfile}',
  '**/{.env,.env.*,Dockerfile,Dockerfile.*,Containerfile,Makefile,makefile,GNUmakefile,Modelfile,Modelfile.*}',
];
/** Unsaved buffers, by language. */
const LANGUAGES = [
  'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'rust', 'go', 'yaml',
  'dockercompose', 'toml', 'json', 'jsonc', 'dotenv', 'dockerfile', 'shellscript', 'makefile', 'markdown',
  'mdx', 'modelfile',
];
/** Notebook cells (synced as notebooks: the server declares notebookDocumentSync for jupyter-notebook). */
const CELLS = ['python', 'markdown'].map((language) => ({ scheme: 'vscode-notebook-cell', language }));
const SELECTOR: DocumentSelector = [
  ...FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
  ...LANGUAGES.map((language) => ({ scheme: 'untitled', language })),
  ...CELLS,
];

const CARD_SCHEME = 'fineprint-card';
const POLICY_TEMPLATE = `# fineprint policy: what this project may do with the models it uses.
# Every key, and what each use case makes of each clause: docs/policy.md in fineprint.
use = "commercial"                # commercial | internal | research | personal
# monthly_active_users = 0        # compared with thresholds such as Llama's 700M
# regions = ["EU"]                # compared with regional exclusions
# deny = ["cc-by-nc-*"]           # license ids that are never allowed

# [[exceptions]]
# model = "black-forest-labs/FLUX.1-dev"
# reason = "Commercial license signed with Black Forest Labs"
# expires = 2027-06-30
`;

let client: LanguageClient | undefined;
let log: vscode.LogOutputChannel;
let trace: vscode.OutputChannel;
let status: Status;
let models: ModelsView;
const cards = new Map<string, string>();

function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return (doc && vscode.workspace.getWorkspaceFolder(doc.uri)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** The server's settings, from the `fineprint.*` settings. */
function serverSettings(): { inlayHints: boolean; logLevel: string; online: boolean; rules?: string; scan: { workspace: boolean; exclude: string[] } } {
  const c = vscode.workspace.getConfiguration('fineprint');
  let rules = (c.get<string>('rules') ?? '').trim();
  if (rules) {
    const ws = workspaceFolder()?.uri.fsPath;
    rules = rules.replace(/\$\{workspaceFolder\}/g, ws ?? '');
    if (rules.startsWith('~/')) {
      rules = path.join(process.env.HOME ?? '', rules.slice(2));
    }
    if (!path.isAbsolute(rules) && ws) {
      rules = path.join(ws, rules);
    }
  }
  const scan = {
    workspace: c.get<boolean>('scan.workspace', true),
    exclude: (c.get<string[]>('scan.exclude') ?? []).filter((g) => typeof g === 'string' && g.trim() !== ''),
  };
  return {
    inlayHints: c.get<boolean>('inlayHints', true),
    logLevel: c.get<string>('logLevel', 'info'),
    online: c.get<boolean>('online', false),
    ...(rules ? { rules } : {}),
    scan,
  };
}

async function start(ctx: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.getConfiguration('fineprint').get<boolean>('enable', true)) {
    log.info('fineprint.enable is off: the server is not started');
    status.setDisabled(true);
    void models.refresh();
    return;
  }
  status.setDisabled(false);
  const setting = vscode.workspace.getConfiguration('fineprint').get<string>('server.path', '');
  const found = findServer(setting, ctx.extensionPath, workspaceFolder()?.uri.fsPath);
  if (!('path' in found)) {
    log.error(found.reason);
    status.setFailed(found.reason);
    const open = 'Open Setting';
    const choice = await vscode.window.showErrorMessage(
      `fineprint: ${found.reason} Install it (cargo install --path server) or set fineprint.server.path.`, open);
    if (choice === open) {
      await openServerSetting();
    }
    return;
  }
  log.info(`Using the fineprint server at ${found.path} (from ${found.source})`);
  status.setFailed(undefined);
  const settings = serverSettings();
  const run = { command: found.path, args: ['lsp', '--log-level', settings.logLevel] };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    initializationOptions: { fineprint: settings },
    outputChannel: log,
    traceOutputChannel: trace,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{fineprint.toml,pyproject.toml}'),
    },
  };
  client = new LanguageClient('fineprint', 'fineprint', serverOptions, clientOptions);
  // The extension offers fineprint.explain and fineprint.scanWorkspace under the server's
  // own command ids, with arguments taken from the editor; keep the client from
  // registering the server's commands as VS Code commands of the same name.
  const exec = client.getFeature(ExecuteCommandRequest.method) as unknown as { register: (data: unknown) => void };
  exec.register = () => undefined;
  client.onDidChangeState((e) => log.info(`server ${State[e.oldState]} -> ${State[e.newState]}`));
  try {
    await client.start();
    const info = client.initializeResult?.serverInfo;
    log.info(`started ${info?.name ?? 'fineprint'} ${info?.version ?? ''}`.trim());
    models.schedule();
  } catch (e) {
    const msg = `fineprint: the server at ${found.path} did not start: ${e instanceof Error ? e.message : String(e)}`;
    log.error(msg);
    status.setFailed(msg);
    void vscode.window.showErrorMessage(msg, 'Show Log').then((c) => c && log.show());
  }
}

/**
 * The Settings editor on fineprint.server.path. In a remote window (SSH, WSL, containers,
 * code-server) the setting is machine-scoped, so it is in the Remote tab, not User.
 */
async function openServerSetting(): Promise<void> {
  if (vscode.env.remoteName) {
    try {
      await vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query: 'fineprint.server.path' });
      return;
    } catch (e) {
      log.warn(`openRemoteSettings: ${String(e)}`);
    }
  }
  await vscode.commands.executeCommand('workbench.action.openSettings', 'fineprint.server.path');
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (e) {
      log.warn(`stopping the server: ${String(e)}`);
    }
  }
}

function running(): LanguageClient | undefined {
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage('fineprint: the language server is not running (see the fineprint output).');
    return undefined;
  }
  return client;
}

/** fineprint.explain: the license card of the model under the cursor, in a Markdown preview. */
async function explain(): Promise<string | undefined> {
  const c = running();
  const editor = vscode.window.activeTextEditor;
  if (!c || !editor) {
    return undefined;
  }
  const pos = editor.selection.active;
  const md = await c.sendRequest(ExecuteCommandRequest.type, {
    command: 'fineprint.explain',
    arguments: [c.code2ProtocolConverter.asUri(editor.document.uri), c.code2ProtocolConverter.asPosition(pos)],
  });
  if (typeof md !== 'string' || !md) {
    void vscode.window.showInformationMessage('fineprint: no model reference under the cursor.');
    return undefined;
  }
  const range = editor.document.getWordRangeAtPosition(pos, /[\w./:@+-]+/);
  const name = (range ? editor.document.getText(range) : 'model').replace(/^.*\//, '').replace(/[^\w.+-]/g, '_');
  const uri = vscode.Uri.from({ scheme: CARD_SCHEME, path: `/${name} license.md` });
  cards.set(uri.toString(), md);
  cardChanged.fire(uri);
  log.info(`explain: ${name}`);
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch {
    // No Markdown preview (the built-in extension disabled): show the source.
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
  return md;
}
const cardChanged = new vscode.EventEmitter<vscode.Uri>();

async function scanWorkspace(): Promise<void> {
  const c = running();
  if (!c) {
    return;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'fineprint: scanning the workspace' },
    () => c.sendRequest(ExecuteCommandRequest.type, { command: 'fineprint.scanWorkspace', arguments: [] }));
  const n = Status.count();
  void vscode.window.showInformationMessage(
    `fineprint: ${n.total} finding${n.total === 1 ? '' : 's'} (${n.errors} error${n.errors === 1 ? '' : 's'}, ` +
    `${n.warnings} warning${n.warnings === 1 ? '' : 's'}).`, 'Open Problems')
    .then((x) => x && vscode.commands.executeCommand('workbench.actions.view.problems'));
}

/** fineprint.openConfig: the workspace's policy file, created from a template when missing. */
async function openConfig(): Promise<void> {
  const ws = workspaceFolder();
  if (!ws) {
    void vscode.window.showWarningMessage('fineprint: open a folder first; the policy lives at its root.');
    return;
  }
  const fp = vscode.Uri.joinPath(ws.uri, 'fineprint.toml');
  const py = vscode.Uri.joinPath(ws.uri, 'pyproject.toml');
  const exists = async (u: vscode.Uri) => vscode.workspace.fs.stat(u).then(() => true, () => false);
  let target = fp;
  if (!(await exists(fp))) {
    const pyText = (await exists(py)) ? Buffer.from(await vscode.workspace.fs.readFile(py)).toString('utf8') : '';
    if (/^\s*\[tool\.fineprint\]/m.test(pyText)) {
      target = py;
    } else {
      await vscode.workspace.fs.writeFile(fp, Buffer.from(POLICY_TEMPLATE, 'utf8'));
      log.info(`created ${fp.fsPath}`);
    }
  }
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target));
}

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel('fineprint', { log: true });
  trace = vscode.window.createOutputChannel('fineprint (trace)');
  status = new Status(SELECTOR as vscode.DocumentSelector);
  models = new ModelsView(() => client, log);
  ctx.subscriptions.push(log, trace, status, models, cardChanged);
  ctx.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(CARD_SCHEME, {
    onDidChange: cardChanged.event,
    provideTextDocumentContent: (uri) => cards.get(uri.toString()) ?? '',
  }));
  ctx.subscriptions.push(
    vscode.commands.registerCommand('fineprint.restart', async () => {
      log.info('restarting');
      await stop();
      await start(ctx);
    }),
    vscode.commands.registerCommand('fineprint.explain', explain),
    vscode.commands.registerCommand('fineprint.scanWorkspace', scanWorkspace),
    vscode.commands.registerCommand('fineprint.openConfig', openConfig),
    vscode.commands.registerCommand('fineprint.openServerSetting', openServerSetting),
    vscode.commands.registerCommand('fineprint.models.refresh', () => models.refresh()),
    // Commands that code actions carry, carried out by the server: the exception's
    // "select the reason to type" and, for clients that cannot create files, the
    // exception itself. (The server's commands are not registered automatically: see start().)
    ...['fineprint.select', 'fineprint.addException'].map((command) =>
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
        const c = running();
        return c && c.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
      })),
    vscode.commands.registerCommand('fineprint.showModels', async () => {
      await vscode.commands.executeCommand('fineprint.models.focus');
      await models.refresh();
    }),
    // Used by the "Open the ... License" code actions.
    vscode.commands.registerCommand('fineprint.openLicense', (url: string) =>
      vscode.env.openExternal(vscode.Uri.parse(url))),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('fineprint')) {
        return;
      }
      if (e.affectsConfiguration('fineprint.server.path') || e.affectsConfiguration('fineprint.enable')) {
        log.info('fineprint.server.path or fineprint.enable changed: restarting');
        await stop();
        await start(ctx);
      } else if (client?.isRunning()) {
        await client.sendNotification('workspace/didChangeConfiguration', { settings: { fineprint: serverSettings() } });
      }
    }),
  );
  await start(ctx);
}

export async function deactivate(): Promise<void> {
  await stop();
}
