-- Filetypes for files fineprint reads that Neovim does not recognise, so that the
-- server attaches to them: Ollama Modelfiles and `.env.local`-style files. Does
-- nothing else: the server starts only after `vim.lsp.enable('fineprint')`.
if vim.g.loaded_fineprint then
  return
end
vim.g.loaded_fineprint = true
vim.filetype.add({
  filename = { Modelfile = 'modelfile' },
  pattern = {
    ['Modelfile%..*'] = 'modelfile',
    ['.*%.[Mm]odelfile'] = 'modelfile',
    ['%.env%..*'] = { 'sh', { priority = -1 } },
  },
})

-- :Fineprint explain [ID] | restart | models   (doc/fineprint.txt)
vim.api.nvim_create_user_command('Fineprint', function(opts)
  require('fineprint').command(opts)
end, {
  nargs = '+',
  desc = 'fineprint: explain [ID], restart, models',
  complete = function(arglead, cmdline)
    return require('fineprint').complete(arglead, cmdline)
  end,
})
