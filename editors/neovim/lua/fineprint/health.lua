-- `:checkhealth fineprint`: the binary, its version, the policy, the client.
local M = {}

function M.check()
  local h = vim.health
  local fp = require('fineprint')
  h.start('fineprint: the server')
  local cmd = fp.cmd()
  local bin = vim.fn.exepath(cmd[1])
  if bin == '' then
    h.error(('`%s` not found (cmd = %s)'):format(cmd[1], vim.inspect(cmd)), {
      'Install it: `cargo install --path server` in the fineprint repository',
      "Or set its path: vim.lsp.config('fineprint', { cmd = { '/path/to/fineprint', 'lsp' } })",
    })
  else
    h.ok('binary: ' .. bin)
    local r = vim.system({ bin, '--version' }, { text = true }):wait(10000)
    if r.code == 0 then
      h.ok('version: ' .. vim.split(vim.trim(r.stdout or ''), '\n')[1])
    else
      h.error(('`%s --version` failed (exit %s): %s'):format(bin, tostring(r.code), vim.trim(r.stderr or '')))
    end
  end

  h.start('fineprint: the policy')
  local client = fp.clients(0)[1] or fp.clients()[1]
  local root = client and client.root_dir or vim.fs.root(0, { 'fineprint.toml', 'pyproject.toml', '.git' }) or vim.fn.getcwd()
  local policy = vim.fs.find({ 'fineprint.toml' }, { path = root, upward = true, limit = 1 })[1]
  if not policy then
    local py = vim.fs.find({ 'pyproject.toml' }, { path = root, upward = true, limit = 1 })[1]
    if py and vim.fn.readfile(py) and table.concat(vim.fn.readfile(py), '\n'):find('%[tool%.fineprint%]') then
      policy = py
    end
  end
  if not policy then
    h.info(('no fineprint.toml (nor [tool.fineprint]) from %s up: the default policy (commercial use) applies'):format(root))
  elseif bin ~= '' then
    -- `check` on an empty folder with this policy: exit 2 and the error when it is invalid.
    local empty = vim.fn.tempname()
    vim.fn.mkdir(empty, 'p')
    local r = vim.system({ bin, 'check', '--config', policy, '--format', 'json', empty }, { text = true }):wait(10000)
    vim.fn.delete(empty, 'rf')
    if r.code == 2 then
      h.error(('policy %s is invalid: %s'):format(policy, vim.trim(r.stderr or '')))
    else
      h.ok('policy: ' .. policy .. ' (valid)')
    end
  else
    h.warn('policy: ' .. policy .. ' (not validated: no binary)')
  end

  h.start('fineprint: the client')
  local clients = fp.clients()
  if #clients == 0 then
    h.warn('no fineprint client is running', {
      "Enable it in init.lua: vim.lsp.enable('fineprint')",
      'Open a file fineprint reads (Python, YAML, ...); `:LspInfo` or `:checkhealth vim.lsp` shows the rest',
    })
  end
  for _, c in ipairs(clients) do
    local bufs = vim.tbl_keys(c.attached_buffers)
    local info = c.server_info and (c.server_info.name .. ' ' .. (c.server_info.version or '')) or '?'
    h.ok(('client %d (%s): root %s, %d buffer(s) attached, position encoding %s'):format(
      c.id, vim.trim(info), tostring(c.root_dir), #bufs, tostring(c.offset_encoding)))
    if not c.attached_buffers[vim.api.nvim_get_current_buf()] then
      h.info('not attached to the current buffer')
    end
  end
end

return M
