// The "Models" view (explorer): every model of the workspace with its license and
// verdict, from the server's `fineprint/models` request; each model's children are
// where it is used.
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

/** One model in the server's answer (docs/lsp.md, `fineprint/models`). */
export interface Model {
  id: string;
  name: string;
  license: { id: string; name: string; label: string } | null;
  verdict: 'error' | 'warning' | 'information' | 'hint' | 'ok';
  codes: string[];
  uses: number;
  locations: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
}

type Node = { model: Model } | { model: Model; location: Model['locations'][number] };

const ICONS: Record<Model['verdict'], vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  information: new vscode.ThemeIcon('info'),
  hint: new vscode.ThemeIcon('lightbulb'),
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
};

export class ModelsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private models: Model[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly subs: vscode.Disposable[] = [];
  readonly view: vscode.TreeView<Node>;

  constructor(private readonly client: () => LanguageClient | undefined, private readonly log: vscode.LogOutputChannel) {
    this.view = vscode.window.createTreeView('fineprint.models', { treeDataProvider: this, showCollapseAll: true });
    // The server's state changes with what it publishes: ask again after diagnostics change.
    this.subs.push(vscode.languages.onDidChangeDiagnostics(() => this.schedule()), this.view, this.changed);
  }

  schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.refresh(), 300);
  }

  /** Asks the server again. */
  async refresh(): Promise<void> {
    const c = this.client();
    if (!c || !c.isRunning()) {
      this.models = [];
      this.view.message = 'The fineprint server is not running.';
      this.changed.fire(undefined);
      return;
    }
    try {
      const answer = await c.sendRequest<{ models: Model[]; scanned: boolean }>('fineprint/models');
      this.models = answer.models;
      const flagged = this.models.filter((m) => m.verdict === 'error' || m.verdict === 'warning').length;
      this.view.message = this.models.length === 0 ? 'No model references found.' : undefined;
      this.view.description = `${this.models.length} model${this.models.length === 1 ? '' : 's'}, ${flagged} to decide`;
    } catch (e) {
      this.log.warn(`fineprint/models: ${String(e)}`);
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      return this.models.map((model) => ({ model }));
    }
    if ('location' in node) {
      return [];
    }
    return node.model.locations.map((location) => ({ model: node.model, location }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const m = node.model;
    if ('location' in node) {
      const uri = vscode.Uri.parse(node.location.uri);
      const line = node.location.range.start.line;
      const rel = uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri) : path.basename(uri.path);
      const item = new vscode.TreeItem(`${rel}:${line + 1}`, vscode.TreeItemCollapsibleState.None);
      item.resourceUri = uri;
      const r = node.location.range;
      item.command = {
        title: 'Open', command: 'vscode.open',
        arguments: [uri, { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character) }],
      };
      return item;
    }
    const item = new vscode.TreeItem(m.name, m.locations.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = m.id;
    const verdict = m.verdict === 'ok' ? 'ok' : m.verdict;
    item.description = `${m.license ? m.license.label : 'license unknown'} · ${verdict}`;
    item.iconPath = ICONS[m.verdict];
    item.contextValue = 'fineprintModel';
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${m.id}**\n\n`);
    tip.appendMarkdown(`License: ${m.license ? `${m.license.name} (\`${m.license.id}\`)` : 'unknown'}\n\n`);
    tip.appendMarkdown(`Verdict: ${verdict}${m.codes.length ? ` (${m.codes.join(', ')})` : ''}\n\n`);
    tip.appendMarkdown(`Used ${m.uses} time${m.uses === 1 ? '' : 's'}`);
    item.tooltip = tip;
    item.accessibilityInformation = { label: `${m.name}, ${item.description}` };
    return item;
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.subs.forEach((s) => s.dispose());
  }
}
