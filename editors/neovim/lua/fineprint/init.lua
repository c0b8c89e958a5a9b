-- fineprint for Neovim: the `:Fineprint` command (explain, restart, models) and the
-- helpers `:checkhealth fineprint` uses. The language server itself is configured in
-- lsp/fineprint.lua and started by `vim.lsp.enable('fineprint')`.
local M = {}

--- The fineprint clients, of a buffer or all.
---@param bufnr integer|nil
---@return vim.lsp.Client[]
function M.clients(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'fineprint' })
end

--- The command that starts the server, as configured (`vim.lsp.config('fineprint')`).
---@return string[]
function M.cmd()
  local ok, cfg = pcall(function() return vim.lsp.config.fineprint end)
  local cmd = ok and cfg and cfg.cmd
  if type(cmd) == 'table' and type(cmd[1]) == 'string' then
    return cmd
  end
  return { 'fineprint', 'lsp' }
end

--- Shows `lines` in a scratch buffer in a new window.
local function scratch(lines, filetype, name)
  vim.cmd('new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = filetype
  pcall(vim.api.nvim_buf_set_name, buf, name)
  return buf
end

--- `:Fineprint explain [ID]`: the license card of ID (a model, license or finding code,
--- from the CLI), or of the model under the cursor (from the server).
---@param id string|nil
function M.explain(id)
  if id and id ~= '' then
    local bin = M.cmd()[1]
    local r = vim.system({ bin, 'explain', id }, { text = true }):wait(10000)
    if r.code ~= 0 then
      vim.notify(('fineprint explain %s: %s'):format(id, vim.trim(r.stderr or r.stdout or '')), vim.log.levels.WARN)
      return
    end
    return scratch(vim.split(r.stdout or '', '\n', { trimempty = true }), 'text', 'fineprint://explain/' .. id)
  end
  local client = M.clients(0)[1]
  if not client then
    vim.notify('fineprint: no fineprint client attached to this buffer', vim.log.levels.WARN)
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local r = client:request_sync('workspace/executeCommand', {
    command = 'fineprint.explain', arguments = { params.textDocument.uri, params.position } }, 10000, 0)
  local md = r and r.result
  if type(md) ~= 'string' or md == '' then
    vim.notify('fineprint: no model reference under the cursor', vim.log.levels.INFO)
    return
  end
  return scratch(vim.split(md, '\n'), 'markdown', 'fineprint://explain')
end

--- `:Fineprint restart`: stops the fineprint clients and starts them again on the
--- buffers they were attached to.
function M.restart()
  local bufs = {}
  local clients = M.clients()
  for _, c in ipairs(clients) do
    for b in pairs(c.attached_buffers) do
      bufs[b] = true
    end
    c:stop()
  end
  local stopped = vim.wait(5000, function()
    for _, c in ipairs(clients) do
      if not c:is_stopped() then
        return false
      end
    end
    return true
  end, 20)
  if not stopped then
    for _, c in ipairs(clients) do
      c:stop(true)
    end
  end
  if next(bufs) == nil then
    bufs[vim.api.nvim_get_current_buf()] = true
  end
  -- vim.lsp.enable attaches on FileType: fire it again where the server was.
  for b in pairs(bufs) do
    if vim.api.nvim_buf_is_valid(b) then
      vim.api.nvim_exec_autocmds('FileType', { buffer = b, modeline = false })
    end
  end
end

local TYPE = { error = 'E', warning = 'W', information = 'I', hint = 'N', ok = 'I' }

--- The quickfix items of a `fineprint/models` answer: one per place a model is used.
---@param answer table
---@return table[]
function M.models_items(answer)
  local items = {}
  for _, m in ipairs(answer and answer.models or {}) do
    local license = m.license ~= vim.NIL and m.license and m.license.label or 'license unknown'
    local text = ('%s: %s · %s'):format(m.name, license, m.verdict)
    if #m.codes > 0 then
      text = text .. ' (' .. table.concat(m.codes, ', ') .. ')'
    end
    for i, loc in ipairs(m.locations) do
      local ok, fname = pcall(vim.uri_to_fname, loc.uri)
      table.insert(items, {
        filename = ok and fname or loc.uri,
        lnum = loc.range.start.line + 1,
        col = loc.range.start.character + 1,
        text = i == 1 and text .. (m.uses > 1 and (' — used %d times'):format(m.uses) or '') or text,
        type = TYPE[m.verdict] or 'I',
      })
    end
  end
  return items
end

--- `:Fineprint models`: every model of the workspace with its license and verdict
--- (the server's `fineprint/models`), in the quickfix list.
---@param open boolean|nil open the quickfix window (default true)
function M.models(open)
  local client = M.clients(0)[1] or M.clients()[1]
  if not client then
    vim.notify('fineprint: no fineprint client is running', vim.log.levels.WARN)
    return
  end
  local r, err = client:request_sync('fineprint/models', nil, 10000, 0)
  if not r or r.err then
    vim.notify('fineprint/models: ' .. tostring(err or (r and r.err and r.err.message)), vim.log.levels.ERROR)
    return
  end
  local items = M.models_items(r.result)
  vim.fn.setqflist({}, ' ', { title = 'fineprint: models', items = items })
  if open ~= false then
    vim.cmd('copen')
  end
  return items
end

M.subcommands = { 'explain', 'restart', 'models' }

--- `:Fineprint {subcommand} [args]`.
function M.command(opts)
  local sub, rest = opts.fargs[1], opts.fargs[2]
  if sub == 'explain' then
    return M.explain(rest)
  elseif sub == 'restart' then
    return M.restart()
  elseif sub == 'models' then
    return M.models()
  end
  vim.notify(('fineprint: unknown subcommand %q (explain, restart, models)'):format(tostring(sub)), vim.log.levels.ERROR)
end

function M.complete(arglead, cmdline)
  if #vim.split(cmdline, '%s+', { trimempty = true }) > 2 or (cmdline:match('%s$') and #vim.split(cmdline, '%s+', { trimempty = true }) > 1) then
    return {}
  end
  return vim.tbl_filter(function(s) return vim.startswith(s, arglead) end, M.subcommands)
end

return M
