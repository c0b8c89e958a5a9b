// Drives code-server in headless Chromium like a person would, and checks what the
// fineprint extension shows. Usage: node e2e.js URL [main|missing]   (env CHROMIUM, E2E_OUT)
//   main:    the extension with its bundled server: squiggle, status bar, hover, Problems,
//            explain, output channel;
//   missing: the extension without a server anywhere: the error and its "Open Setting" button.
// Exit 0 when every check passes. Every wait has a timeout.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const url = process.argv[2];
const mode = process.argv[3] || 'main';
const out = process.env.E2E_OUT || '.';
const CARD = 'FLUX.1 [dev] Non-Commercial License';
const t0 = Date.now();
const say = (msg) => console.error(`  [${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
let failures = 0;
function check(name, ok, detail) {
  say(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail !== undefined ? `: ${String(detail).slice(0, 200)}` : ''}`);
  if (!ok) failures++;
  return ok;
}
/** A check the rest depends on: stop at the first failure. */
function must(name, ok, detail) {
  if (!check(name, ok, detail)) throw new Error(`stopping: ${name} failed`);
}

/** The text of a Monaco editor's rendered lines, in screen order (the DOM reuses and reorders line nodes). */
async function editorText(lines) {
  return lines.evaluate((el) => Array.from(el.querySelectorAll('.view-line'))
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((l) => l.textContent).join('').replace(/\u00a0/g, ' ')).catch(() => '');
}

async function palette(page, text) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${text}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 10000 });
  await row.click();
}

async function missing(page) {
  const toast = page.locator('.notification-toast', { hasText: 'language server was not found' }).first();
  must('error message: server not found', await toast.waitFor({ timeout: 30000 }).then(() => true, () => false));
  const text = await toast.innerText();
  check('the message names the setting', text.includes('fineprint.server.path'),
    text.split('\n').find((l) => l.includes('not found')));
  const status = page.locator('.statusbar-item', { hasText: 'fineprint: no server' }).first();
  check('status bar says there is no server', await status.waitFor({ timeout: 5000 }).then(() => true, () => false));
  await page.screenshot({ path: path.join(out, 'vscode-missing.png') });
  await toast.locator('.monaco-button', { hasText: 'Open Setting' }).first().click();
  const setting = page.locator('.settings-editor .setting-item-contents', { hasText: 'Server: Path' }).first();
  const shown = await setting.waitFor({ timeout: 15000 }).then(() => true, () => false);
  check('"Open Setting" opens fineprint.server.path in the Settings editor', shown,
    shown ? (await setting.innerText()).split('\n').slice(0, 2).join(' / ') : 'no setting shown');
}

/** Opens explore.ipynb (copied into the workspace by run.sh) and checks its code cell. */
async function notebook(page) {
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="explore.ipynb"]').first().click();
  const cell = page.locator('.notebook-editor .monaco-editor .view-lines', { hasText: 'FluxPipeline.from_pretrained' }).first();
  must('the notebook opens in the notebook editor', await cell.waitFor({ timeout: 30000 }).then(() => true, () => false));
  const squiggle = page.locator('.notebook-editor .monaco-editor .squiggly-error').first();
  check('notebook cell: red squiggle', await squiggle.waitFor({ timeout: 30000 }).then(() => true, () => false));
  const id = 'black-forest-labs/FLUX.1-dev';
  const token = page.locator('.notebook-editor .monaco-editor .view-line span span', { hasText: id }).first();
  let geometry;
  for (const until = Date.now() + 10000; Date.now() < until;) {
    const [sq, tk, tokenText] = await Promise.all([squiggle.boundingBox().catch(() => null),
      token.boundingBox().catch(() => null), token.innerText().catch(() => '')]);
    if (sq && tk && tokenText.includes(id)) {
      const cw = tk.width / tokenText.length;
      const x0 = tk.x + tokenText.indexOf(id) * cw;
      geometry = { sq, x0, w: id.length * cw, tokenText };
      if (Math.abs(sq.y - tk.y) < tk.height && Math.abs(sq.x - x0) < cw / 2 && Math.abs(sq.width - id.length * cw) < cw) {
        geometry.ok = true;
        break;
      }
    }
    await page.waitForTimeout(200);
  }
  check('notebook cell: squiggle exactly under the model id', geometry && geometry.ok, JSON.stringify(geometry));
  let line = '';
  for (const until = Date.now() + 15000; Date.now() < until;) {
    line = await editorText(cell);
    if (/FLUX\.1-dev".*non-commercial/.test(line)) break;
    await page.waitForTimeout(250);
  }
  check('notebook cell: inlay hint after the closing quote', /FLUX\.1-dev"\s*FLUX\.1-dev NC · non-commercial\s*\)/.test(line),
    JSON.stringify(line.slice(-120)));
  await token.hover();
  const hover = page.locator('.monaco-hover:visible', { hasText: CARD }).first();
  const shown = await hover.waitFor({ timeout: 15000 }).then(() => true, () => false);
  const text = shown ? await hover.innerText() : '';
  check('notebook cell: hover shows the short diagnostic and the card',
    text.includes('non-commercial only: FLUX.1 [dev] Non-Commercial License') && text.includes(CARD), text.split('\n')[0]);
  await page.screenshot({ path: path.join(out, 'vscode-notebook.png') });
  say(`screenshot ${path.join(out, 'vscode-notebook.png')}`);
  await page.mouse.move(5, 400);
  await page.keyboard.press('Escape');
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let page;
  try {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(30000);
    await page.goto(url, { timeout: 30000 });

    // 1. Open app.py from the explorer.
    const row = '.explorer-folders-view .monaco-list-row[aria-label^="app.py"]';
    await page.waitForSelector(row, { timeout: 60000 });
    await page.click(row);
    await page.waitForSelector('.monaco-editor .view-lines:has-text("FluxPipeline.from_pretrained")');
    say('app.py open');
    if (mode === 'missing') {
      await missing(page);
    } else {

    // 2. The squiggle, on the model id.
    const squiggle = page.locator('.monaco-editor .squiggly-error').first();
    must('red squiggle shown', await squiggle.waitFor({ timeout: 30000 }).then(() => true, () => false));
    const token = page.locator('.monaco-editor .view-line span span', { hasText: 'black-forest-labs/FLUX.1-dev' }).first();
    // Lines re-render as decorations and inlay hints arrive: measure until it holds (10 s).
    const id = 'black-forest-labs/FLUX.1-dev';
    let geometry;
    for (const until = Date.now() + 10000; Date.now() < until;) {
      const [sq, tk, tokenText] = await Promise.all([squiggle.boundingBox().catch(() => null),
        token.boundingBox().catch(() => null), token.innerText().catch(() => '')]);
      if (sq && tk && tokenText.includes(id)) {
        const cw = tk.width / tokenText.length; // monospace
        const x0 = tk.x + tokenText.indexOf(id) * cw;
        const w = id.length * cw;
        geometry = { sq, x0, w, tokenText };
        if (Math.abs(sq.y - tk.y) < tk.height && Math.abs(sq.x - x0) < cw / 2 && Math.abs(sq.width - w) < cw) {
          geometry.ok = true;
          break;
        }
      }
      await page.waitForTimeout(200);
    }
    check('squiggle lies exactly under the model id', geometry && geometry.ok, JSON.stringify(geometry));

    // 3. The inlay hint sits after the closing quote (not inside the string literal).
    const appLines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    let hintLine = '';
    for (const until = Date.now() + 15000; Date.now() < until;) {
      hintLine = (await editorText(appLines)).split('pipe = ').find((l) => l.includes('from_pretrained(')) || '';
      if (/FLUX\.1-dev".*non-commercial.*, torch_dtype/.test(hintLine)) break;
      await page.waitForTimeout(250);
    }
    check('inlay hint after the closing quote', /FLUX\.1-dev"\s*FLUX\.1-dev NC · non-commercial\s*, torch_dtype/.test(hintLine),
      JSON.stringify(hintLine.slice(0, 140)));

    // 4. The language status item: 2 decisions (non-commercial, output restriction; the hint is not counted).
    const lang = page.locator('[id="status.languageStatus"]').first();
    must('language status entry in the status bar', await lang.waitFor({ timeout: 15000 }).then(() => true, () => false));
    let langText = '';
    for (const until = Date.now() + 15000; Date.now() < until && !langText.includes('fineprint: 2 decisions');) {
      await lang.click();
      const box = page.locator('.monaco-hover:visible', { hasText: 'fineprint' }).first();
      langText = await box.waitFor({ timeout: 3000 }).then(() => box.innerText(), () => '');
      if (!langText.includes('fineprint: 2 decisions')) {
        await page.keyboard.press('Escape');
        await page.waitForTimeout(250);
      }
    }
    check('language status says "fineprint: 2 decisions"', langText.includes('fineprint: 2 decisions'), JSON.stringify(langText.slice(0, 160)));
    await page.screenshot({ path: path.join(out, 'vscode-language-status.png') });
    // Its command opens the Models view: FLUX.1-dev, its license and verdict.
    const showModels = page.locator('.monaco-hover:visible a', { hasText: 'Show Models' }).first();
    if (await showModels.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await showModels.click();
    } else {
      await page.keyboard.press('Escape');
      await palette(page, 'fineprint: Show the Models View');
    }
    const modelRow = page.locator('.pane-body .monaco-list-row', { hasText: 'FLUX.1-dev' }).first();
    const modelShown = await modelRow.waitFor({ timeout: 15000 }).then(() => true, () => false);
    const modelText = modelShown ? (await modelRow.innerText()).replace(/\s+/g, ' ') : '';
    check('Models view lists FLUX.1-dev with its license and verdict', /FLUX\.1-dev.*FLUX\.1-dev NC · non-commercial · error/.test(modelText),
      JSON.stringify(modelText));
    await page.screenshot({ path: path.join(out, 'vscode-models.png') });
    const status = page.locator('[id="status.problems"]').first();

    // 5. Hover: the diagnostic and the license card.
    await token.hover();
    const hover = page.locator('.monaco-hover:visible', { hasText: CARD }).first();
    const hoverShown = await hover.waitFor({ timeout: 15000 }).then(() => true, () => false);
    const hoverText = hoverShown ? await hover.innerText() : '';
    check('hover shows the license card', hoverText.includes(CARD), hoverText.split('\n')[0]);
    check('hover shows the short diagnostic', hoverText.includes('non-commercial only: FLUX.1 [dev] Non-Commercial License'));
    check('hover shows the clause', hoverText.includes('non-commercial purposes only'));
    await page.screenshot({ path: path.join(out, 'vscode-hover.png') });
    say(`screenshot ${path.join(out, 'vscode-hover.png')}`);
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');

    // 6. The Problems view (its status bar entry) holds the finding.
    await status.click();
    const problems = page.locator('.markers-panel .monaco-list-row', { hasText: 'non-commercial only: FLUX.1 [dev] Non-Commercial License' }).first();
    check('the Problems view shows the finding',
      await problems.waitFor({ timeout: 10000 }).then(() => true, () => false));

    // 7. fineprint: Explain the License Under the Cursor, with the cursor on the id.
    await token.click();
    await palette(page, 'fineprint: Explain the License Under the Cursor');
    const tab = page.locator('.tabs-container .tab', { hasText: 'license.md' }).first();
    const tabShown = await tab.waitFor({ timeout: 15000 }).then(() => true, () => false);
    check('explain opens a Markdown preview', tabShown, tabShown ? await tab.innerText() : 'no tab');
    let previewText = '';
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline && !previewText.includes(CARD)) {
      for (const f of page.frames().filter((x) => x !== page.mainFrame())) { // the webview's frames
        const txt = await f.evaluate(() => document.body ? document.body.innerText : '').catch(() => '');
        if (txt.includes(CARD) && txt.length > previewText.length) previewText = txt;
      }
      if (!previewText.includes(CARD)) await page.waitForTimeout(250);
    }
    check('the preview shows the license card', previewText.includes(CARD), JSON.stringify(previewText.slice(0, 120)));
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(out, 'vscode-explain.png') });

    // 8. The output channel says which binary was chosen.
    await palette(page, 'Output: Show Output Channels');
    await page.locator('.quick-input-list .monaco-list-row[aria-label="fineprint"]').first().click({ timeout: 10000 });
    const lines = page.locator('.part.panel .monaco-editor .view-lines').first();
    // The output view renders only the lines in sight, and follows the end of the log:
    // the line that names the binary is the first one, so go to the top until it is
    // rendered (later log lines may have pushed it out of sight), then back to the end
    // so that the view follows the log again.
    await page.waitForTimeout(500);
    let logText = '', chosen = null;
    for (const until = Date.now() + 15000; Date.now() < until && !chosen;) {
      logText = await editorText(lines);  // the output view wraps long lines
      chosen = logText.match(/Using the fineprint server at (\S+) \(from ([^)]*)\)/);
      if (!chosen) {
        await lines.click({ timeout: 2000 }).catch(() => {});
        await page.keyboard.press('Control+Home');
        await page.waitForTimeout(250);
      }
    }
    await lines.click({ timeout: 2000 }).catch(() => {});
    await page.keyboard.press('Control+End');
    check('output channel logs the chosen binary (the bundled one)',
      chosen && chosen[2] === 'the binary bundled with the extension' && chosen[1].endsWith('/bundled/fineprint'),
      chosen ? chosen[0] : logText.slice(0, 200));

    // 9. fineprint: Restart the Language Server: the output channel logs a new start.
    // (The output view renders only the lines in sight: maximize the panel first.)
    await palette(page, 'fineprint: Restart the Language Server');
    await palette(page, 'View: Toggle Maximized Panel');
    let restarted = false, txt = '';
    for (const until = Date.now() + 15000; Date.now() < until && !restarted;) {
      txt = await editorText(lines);
      restarted = /\] restarting.*\] started fineprint \d/.test(txt);
      if (!restarted) await page.waitForTimeout(250);
    }
    check('restart starts the server again', restarted, restarted ? undefined : txt.slice(-600));
    if (!restarted) await page.screenshot({ path: path.join(out, 'vscode-debug.png') });
    await palette(page, 'View: Toggle Maximized Panel');

    // 10. fineprint: Open the Policy (fineprint.toml): opens the workspace's policy file.
    await palette(page, 'fineprint: Open the Policy');
    const openedPolicy = page.locator('.tabs-container .tab', { hasText: 'fineprint.toml' }).first();
    check('open the policy opens fineprint.toml', await openedPolicy.waitFor({ timeout: 10000 }).then(() => true, () => false));
    await palette(page, 'View: Close Editor'); // closed again: the exception below must open it itself
    check('fineprint.toml closed again', await openedPolicy.waitFor({ state: 'detached', timeout: 10000 }).then(() => true, () => false));

    // 11. A notebook: its code cell gets the squiggle, the hint after the quote and the hover, at cell positions.
    await notebook(page);

    // 12. Code actions on the id: the exception (with an expiry, its reason selected) and the replacement.
    await page.locator('.tabs-container .tab', { hasText: 'app.py' }).first().click();
    await token.click();
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget').first();
    const menuShown = await menu.waitFor({ timeout: 10000 }).then(() => true, () => false);
    const menuText = menuShown ? await menu.innerText() : '';
    check('quick fixes offer the exception', menuText.includes('Add a policy exception for FLUX.1-dev'), JSON.stringify(menuText.slice(0, 300)));
    check('quick fixes offer the replacement', /Replace with black-forest-labs\/FLUX\.1-schnell/.test(menuText));
    await page.screenshot({ path: path.join(out, 'vscode-code-actions.png') });
    // The first action is focused: it is the exception (checked above from the menu's text).
    const firstAction = (menuText.split('\n').find((l) => l && l !== 'Quick Fix') || '');
    check('the exception is the first quick fix', firstAction.startsWith('Add a policy exception for FLUX.1-dev'), firstAction);
    await page.keyboard.press('Enter');
    const policyTab = page.locator('.tabs-container .tab', { hasText: 'fineprint.toml' }).first();
    check('the exception opens fineprint.toml', await policyTab.waitFor({ timeout: 10000 }).then(() => true, () => false));
    const policyLines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    let policyText = '';
    for (const until = Date.now() + 10000; Date.now() < until && !/expires = \d{4}-\d\d-\d\d/.test(policyText);) {
      policyText = await editorText(policyLines);
      await page.waitForTimeout(250);
    }
    check('the exception has an expiry', /\[\[exceptions\]\].*model = "black-forest-labs\/FLUX\.1-dev".*expires = \d{4}-\d\d-\d\d/.test(policyText),
      JSON.stringify(policyText.slice(0, 300)));
    // The reason is selected, for the user to type over it ("Ln 6, Col 11 (29 selected)").
    const selection = page.locator('[id="status.editor.selection"]').first();
    let selText = '';
    for (const until = Date.now() + 10000; Date.now() < until && !/selected/.test(selText);) {
      selText = await selection.innerText().catch(() => '');
      if (!/selected/.test(selText)) await page.waitForTimeout(250);
    }
    check('the exception selects the reason to type', /\(\d+ selected\)/.test(selText), JSON.stringify(selText));
    // Once the policy holds the exception, the error is gone from app.py.
    const cleared = await page.locator('.tabs-container .tab', { hasText: 'app.py' }).first().click()
      .then(() => page.waitForFunction(() => !document.querySelector('.editor-group-container.active .monaco-editor .squiggly-error'), null, { timeout: 15000 }))
      .then(() => true, () => false);
    check('the exception clears the error in app.py', cleared);
    await page.screenshot({ path: path.join(out, 'vscode-exception.png') });
    }
  } catch (e) {
    if (page) await page.screenshot({ path: path.join(out, 'vscode-failure.png') }).catch(() => {});
    throw e;
  } finally {
    await browser.close().catch(() => {});
  }
  say(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
})().catch((e) => {
  console.error('FAIL', e && e.stack || e);
  process.exit(1);
});
