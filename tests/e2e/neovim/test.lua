-- End-to-end test of editors/neovim in a real Neovim (0.11+), headless:
--   FINEPRINT_PLUGIN=<editors/neovim> FINEPRINT_RESULT=<file.json> \
--     nvim --headless --clean -u test.lua app.py
-- with `fineprint` on PATH and the working directory a copy of tests/e2e/fixtures/workspace.
-- Exit status 0 = every check passed; the details are in FINEPRINT_RESULT.

-- What a user's init.lua says (editors/neovim/README.md):
vim.opt.rtp:append(assert(os.getenv('FINEPRINT_PLUGIN'), 'FINEPRINT_PLUGIN not set'))
vim.lsp.enable('fineprint')

local T = 10000 -- ms, every wait
local res = { ok = false, nvim = tostring(vim.version()), checks = {} }
local function check(name, cond, detail)
  table.insert(res.checks, { name = name, ok = cond and true or false, detail = detail })
  io.stderr:write(('%s %s%s\n'):format(cond and 'ok  ' or 'FAIL', name, detail and (': ' .. tostring(detail)) or ''))
  if not cond then
    error(name .. ' failed', 0)
  end
end

local function fineprint_diags(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'fineprint' then
      table.insert(out, d)
    end
  end
  return out
end
local function find(buf, code)
  for _, d in ipairs(fineprint_diags(buf)) do
    if d.code == code then
      return d
    end
  end
end
local function request(buf, method, params)
  local r, err = vim.lsp.buf_request_sync(buf, method, params, T)
  assert(r, 'no answer to ' .. method .. ': ' .. tostring(err))
  for _, x in pairs(r) do
    assert(not x.err, method .. ': ' .. vim.inspect(x.err))
    return x.result
  end
end

local function run()
  local buf = vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(buf)
  check('buffer is app.py with filetype python', path:match('app%.py$') and vim.bo[buf].filetype == 'python', path)

  -- 1. The client starts from lsp/fineprint.lua and attaches.
  local attached = vim.wait(T, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'fineprint' }) > 0
  end, 20)
  check('fineprint client attached', attached)
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'fineprint' })[1]
  check('server name', client.server_info and client.server_info.name == 'fineprint', vim.inspect(client.server_info))
  check('root_dir is the fixture workspace', client.root_dir == vim.fn.getcwd(), client.root_dir)

  -- 2. The FLUX finding, at error severity, exactly on the id (line 6, columns 38-66).
  vim.wait(T, function() return find(buf, 'non-commercial') ~= nil end, 20)
  local d = find(buf, 'non-commercial')
  check('non-commercial diagnostic published', d, #fineprint_diags(buf) .. ' fineprint diagnostics')
  local line = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1]
  local span = line:sub(d.col + 1, d.end_col)
  check('on line 6', d.lnum == 5, d.lnum + 1)
  check('exactly on the id', span == 'black-forest-labs/FLUX.1-dev', span)
  check('severity ERROR under use = "commercial"', d.severity == vim.diagnostic.severity.ERROR, d.severity)
  res.diagnostic = d.message

  -- 3. The hover card.
  local pos = { line = d.lnum, character = d.col + 5 }
  local hover = request(buf, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = pos })
  local text = hover and hover.contents and (hover.contents.value or hover.contents) or ''
  res.hover = text
  check('hover shows the license card', type(text) == 'string' and text:find('FLUX.1 [dev] Non-Commercial License', 1, true), #text .. ' chars')

  -- 4. fineprint.explain (what the editor commands call).
  local md = request(buf, 'workspace/executeCommand', {
    command = 'fineprint.explain', arguments = { vim.uri_from_bufnr(buf), pos } })
  check('fineprint.explain returns the card', type(md) == 'string' and md:find('FLUX.1 [dev] Non-Commercial License', 1, true))

  -- 5. Inlay hints.
  local hints = request(buf, 'textDocument/inlayHint', { textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(buf), character = 0 } } })
  check('inlay hint on the reference', hints and #hints > 0, hints and #hints)
  -- After the closing quote of the string (line 6: `..."black-forest-labs/FLUX.1-dev", torch_dtype`).
  local hp = hints[1].position
  check('inlay hint after the closing quote', hp.line == d.lnum and hp.character == d.end_col + 1
    and line:sub(hp.character, hp.character) == '"' and line:sub(hp.character + 1, hp.character + 1) == ',',
    vim.inspect(hp) .. ' ' .. line:sub(hp.character - 3, hp.character + 3))

  -- 6. Code actions at the finding.
  local lsp_diag = d.user_data and d.user_data.lsp
  local actions = request(buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = pos, ['end'] = pos },
    context = { diagnostics = { lsp_diag }, triggerKind = 1 },
  }) or {}
  local titles, ignore = {}, nil
  for _, a in ipairs(actions) do
    table.insert(titles, a.title)
    if a.title:match('^Ignore non%-commercial') then
      ignore = a
    end
  end
  res.code_actions = titles
  local has_exception = false
  for _, t in ipairs(titles) do
    has_exception = has_exception or t:find('Add a policy exception for', 1, true) ~= nil
  end
  check('code action "Add a policy exception for ..."', has_exception, table.concat(titles, ' | '))
  check('code action "Ignore non-commercial on this line"', ignore ~= nil)
  local exception, replace
  for _, a in ipairs(actions) do
    if a.title:find('Add a policy exception for', 1, true) then exception = a end
    if a.title:find('^Replace with') then replace = a end
  end
  local exception_text = vim.json.encode(exception.edit or {})
  check('the exception action writes an expiry', exception_text:find('expires = %d%d%d%d%-%d%d%-%d%d') ~= nil, exception_text:sub(1, 200))
  check('the exception action then selects the reason to type', exception.command ~= nil
    and exception.command.command == 'fineprint.select', vim.inspect(exception.command))
  check('a replacement is offered, never as the preferred fix', replace ~= nil and not replace.isPreferred,
    replace and replace.title)

  -- 6b. :Fineprint models: every model with its license and verdict, in the quickfix list.
  vim.cmd('Fineprint models')
  local qf = vim.fn.getqflist({ title = 1, items = 1 })
  local flux_item
  for _, it in ipairs(qf.items) do
    if it.text:find('FLUX.1-dev: FLUX.1-dev NC · non-commercial · error', 1, true) then flux_item = it end
  end
  check(':Fineprint models lists FLUX.1-dev with its license and verdict', flux_item and flux_item.lnum == 6 and flux_item.col == 38
    and vim.api.nvim_buf_get_name(flux_item.bufnr) == path, vim.inspect(qf.items[1]))
  vim.cmd('cclose')

  -- 6c. :Fineprint explain ID (the CLI's card) and :Fineprint explain (the card under the cursor).
  vim.cmd('Fineprint explain FLUX.1-dev')
  local card = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  check(':Fineprint explain FLUX.1-dev shows the card', card:find('FLUX.1 [dev] Non-Commercial License', 1, true) ~= nil, #card .. ' chars')
  vim.cmd('close')
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col + 5 })
  vim.cmd('Fineprint explain')
  card = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  check(':Fineprint explain at the cursor shows the card', vim.bo.filetype == 'markdown'
    and card:find('FLUX.1 [dev] Non-Commercial License', 1, true) ~= nil, #card .. ' chars')
  vim.cmd('close')

  -- 6d. :checkhealth fineprint: binary, version, policy, client.
  vim.cmd('checkhealth fineprint')
  local health = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  res.health = health
  check('checkhealth: binary found', health:find('OK binary: [^\n]*fineprint') ~= nil, health:sub(1, 300))
  check('checkhealth: version', health:find('OK version: fineprint %d') ~= nil)
  check('checkhealth: the policy is found and valid', health:find('OK policy: [^\n]*fineprint%.toml %(valid%)') ~= nil)
  check('checkhealth: the client is attached', health:find('OK client %d+ %(fineprint') ~= nil)
  check('checkhealth: no error', health:find('ERROR') == nil)
  vim.cmd('bwipeout')
  vim.cmd('buffer ' .. buf)

  -- 6e. The help file: :helptags works, and :help finds the command (in a copy: no tags file in the repository).
  local docs = vim.fn.tempname()
  vim.fn.mkdir(docs .. '/doc', 'p')
  vim.fn.writefile(vim.fn.readfile(os.getenv('FINEPRINT_PLUGIN') .. '/doc/fineprint.txt'), docs .. '/doc/fineprint.txt')
  vim.opt.rtp:prepend(docs)
  vim.cmd('helptags ' .. docs .. '/doc')
  local helped = pcall(vim.cmd, 'help :Fineprint-models')
  check(':helptags and :help :Fineprint-models', helped and vim.api.nvim_buf_get_name(0):match('fineprint%.txt$') ~= nil
    and vim.api.nvim_get_current_line():find('*:Fineprint-models*', 1, true) ~= nil, vim.api.nvim_get_current_line())
  vim.cmd('helpclose')
  vim.cmd('buffer ' .. buf)

  -- 6f. :Fineprint restart: a new client attaches and publishes again.
  local old_id = client.id
  vim.cmd('Fineprint restart')
  local again = vim.wait(T, function()
    local c = vim.lsp.get_clients({ bufnr = buf, name = 'fineprint' })[1]
    return c ~= nil and c.id ~= old_id and c.initialized == true
  end, 20)
  check(':Fineprint restart starts a new client', again)
  client = vim.lsp.get_clients({ bufnr = buf, name = 'fineprint' })[1]
  check('diagnostics again after the restart', vim.wait(T, function() return find(buf, 'non-commercial') ~= nil end, 20))

  -- 7. Edit the policy (use = "research"): the severity follows, without a restart.
  vim.cmd('edit fineprint.toml')
  local pbuf = vim.api.nvim_get_current_buf()
  vim.wait(T, function() return #vim.lsp.get_clients({ bufnr = pbuf, name = 'fineprint' }) > 0 end, 20)
  check('same client attached to fineprint.toml', vim.lsp.get_clients({ bufnr = pbuf, name = 'fineprint' })[1] == client)
  vim.api.nvim_buf_set_lines(pbuf, 0, -1, false, { 'use = "research"' })
  vim.cmd('silent write')
  local followed = vim.wait(T, function()
    local x = find(buf, 'non-commercial')
    return x and x.severity == vim.diagnostic.severity.INFO
  end, 20)
  local after = find(buf, 'non-commercial')
  check('severity follows the policy: ERROR -> INFO', followed, after and after.severity)

  -- 8. Apply "Ignore non-commercial on this line": the finding goes away.
  vim.cmd('buffer ' .. buf)
  if ignore.edit then
    vim.lsp.util.apply_workspace_edit(ignore.edit, client.offset_encoding)
  end
  if ignore.command then
    request(buf, 'workspace/executeCommand', ignore.command)
  end
  local gone = vim.wait(T, function() return find(buf, 'non-commercial') == nil end, 20)
  check('ignore comment added', vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1]:find('# fineprint: ignore[non-commercial', 1, true),
    vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1])
  check('finding gone after the ignore action', gone)
  res.ok = true
end

-- Files named on the command line are loaded after -u is sourced: run on VimEnter,
-- nested so that `:edit` in the test fires FileType (and the client attaches).
vim.api.nvim_create_autocmd('VimEnter', { once = true, nested = true, callback = function()
  local ok, err = pcall(run)
  if not ok then
    res.error = tostring(err)
    io.stderr:write('error: ' .. tostring(err) .. '\n')
  end
  local out = os.getenv('FINEPRINT_RESULT')
  if out then
    local f = assert(io.open(out, 'w'))
    f:write(vim.json.encode(res))
    f:close()
  end
  for _, c in ipairs(vim.lsp.get_clients()) do
    c:stop(true)
  end
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end })
