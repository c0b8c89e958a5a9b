// The language-status item ("fineprint: N decisions", or "no model decisions") next to
// the language of a file fineprint reads, and a status bar item only when the server
// cannot start (or fineprint is disabled).
import * as vscode from 'vscode';

/** What the diagnostics of fineprint add up to. */
export interface Counts {
  /** Distinct decisions: a model and a finding code (hints excluded: the Problems view hides them). */
  decisions: number;
  total: number;
  errors: number;
  warnings: number;
  infos: number;
}

export class Status implements vscode.Disposable {
  private readonly lang: vscode.LanguageStatusItem;
  private readonly bar: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failed: string | undefined;
  private disabled = false;

  constructor(selector: vscode.DocumentSelector) {
    this.lang = vscode.languages.createLanguageStatusItem('fineprint.status', selector);
    this.lang.name = 'fineprint';
    this.bar = vscode.window.createStatusBarItem('fineprint.failure', vscode.StatusBarAlignment.Left, 0);
    this.bar.name = 'fineprint';
    this.subs.push(vscode.languages.onDidChangeDiagnostics(() => this.schedule()));
    this.update();
  }

  /** Shows a problem starting the server instead of the count. */
  setFailed(reason: string | undefined): void {
    this.failed = reason;
    this.update();
  }

  /** fineprint.enable is off. */
  setDisabled(disabled: boolean): void {
    this.disabled = disabled;
    this.update();
  }

  private schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => this.update(), 100);
  }

  /** Counts the diagnostics whose source is fineprint, by severity, and the decisions they make. */
  static count(): Counts {
    let errors = 0, warnings = 0, infos = 0;
    const decisions = new Set<string>();
    for (const [, diags] of vscode.languages.getDiagnostics()) {
      for (const d of diags) {
        if (d.source !== 'fineprint' || d.severity === vscode.DiagnosticSeverity.Hint) {
          continue;
        }
        if (d.severity === vscode.DiagnosticSeverity.Error) {
          errors++;
        } else if (d.severity === vscode.DiagnosticSeverity.Warning) {
          warnings++;
        } else {
          infos++;
        }
        // The server puts the model id and the code in `data` (kept by the client).
        const data = (d as { data?: { id?: string; code?: string } }).data;
        decisions.add(data?.id ? `${data.id}\u0000${data.code ?? ''}` : d.message);
      }
    }
    return { decisions: decisions.size, total: errors + warnings + infos, errors, warnings, infos };
  }

  private update(): void {
    if (this.failed || this.disabled) {
      this.bar.text = this.failed ? '$(law) fineprint: no server' : '$(law) fineprint: disabled';
      this.bar.tooltip = this.failed ?? 'fineprint.enable is off. Click to open the setting.';
      this.bar.backgroundColor = this.failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.bar.command = this.failed ? 'fineprint.openServerSetting' : { title: 'Open Setting', command: 'workbench.action.openSettings', arguments: ['fineprint.enable'] };
      this.bar.show();
      this.lang.text = this.failed ? 'fineprint: no server' : 'fineprint: disabled';
      this.lang.severity = this.failed ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
      this.lang.detail = undefined;
      this.lang.command = undefined;
      return;
    }
    this.bar.hide();
    const c = Status.count();
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    this.lang.text = c.decisions === 0 ? 'fineprint: no model decisions' : `fineprint: ${plural(c.decisions, 'decision')}`;
    this.lang.detail = c.total === 0 ? undefined
      : `${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${c.infos} info`;
    this.lang.severity = c.errors > 0 ? vscode.LanguageStatusSeverity.Error
      : c.warnings > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    this.lang.command = { title: 'Show Models', command: 'fineprint.showModels', tooltip: 'The Models view: every model, its license and verdict' };
    this.lang.accessibilityInformation = { label: this.lang.text + (this.lang.detail ? `: ${this.lang.detail}` : '') };
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.subs.forEach((s) => s.dispose());
    this.lang.dispose();
    this.bar.dispose();
  }
}
